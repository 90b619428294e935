import { describe, expect, it } from 'vitest';
import { StateReader, StateWriter } from '../../../src/recsys/learn/state-codec.js';

describe('state codec', () => {
  it('when written and read back then numbers and arrays come back bit for bit', () => {
    const f = Float32Array.from([1.5, -0, Number.NaN, 3e-38]);
    const bytes = new StateWriter('x/1').number(-7.25).int32s(Int32Array.from([3, -1])).float32s(f).finish();
    // An odd offset: the reader must not assume alignment.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const r = new StateReader(shifted.subarray(1), 'x/1');
    expect(r.number()).toBe(-7.25);
    expect([...r.int32s()]).toEqual([3, -1]);
    expect(new Uint8Array(r.float32s().buffer)).toEqual(new Uint8Array(f.buffer));
    r.end();
  });

  it('when the tag differs or bytes are left then reading fails', () => {
    const bytes = new StateWriter('a/1').number(1).finish();
    expect(() => new StateReader(bytes, 'b/1')).toThrow(/written by a\/1/);
    expect(() => new StateReader(bytes, 'a/1').end()).toThrow(/unread/);
  });
});
