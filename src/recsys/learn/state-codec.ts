/**
 * The byte format of a learned recommender's warm-start state: a tag naming the algorithm and
 * format version, then numbers and typed arrays in an order each algorithm fixes. Arrays are
 * copied as raw little-endian bytes (every platform Node supports is little-endian), each
 * preceded by its element count, so a 50 MB model saves without per-element work.
 */

const MAGIC = 0x53524c4d; // "SRLM"

export class StateWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  constructor(tag: string) {
    this.number(MAGIC);
    const bytes = new TextEncoder().encode(tag);
    this.number(bytes.length);
    this.push(bytes);
  }

  number(x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, true);
    this.push(b);
    return this;
  }

  int32s(a: Int32Array): this {
    this.number(a.length);
    this.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return this;
  }

  float32s(a: Float32Array): this {
    this.number(a.length);
    this.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
}

export class StateReader {
  private at = 0;
  private readonly view: DataView;

  /** Throws when the bytes are not a state written with the same tag: a caller's bug. */
  constructor(
    private readonly bytes: Uint8Array,
    tag: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 16 || this.number() !== MAGIC) throw new Error(`recsys state: not a learned-recommender state (expected ${tag})`);
    const n = this.number();
    const found = new TextDecoder().decode(bytes.subarray(this.at, this.at + n));
    this.at += n;
    if (found !== tag) throw new Error(`recsys state: written by ${found}, cannot load into ${tag}`);
  }

  number(): number {
    const x = this.view.getFloat64(this.at, true);
    this.at += 8;
    return x;
  }

  int32s(): Int32Array {
    const n = this.number();
    // Copied into a fresh buffer: the source offset need not be 4-byte aligned.
    const out = new Int32Array(n);
    new Uint8Array(out.buffer).set(this.bytes.subarray(this.at, this.at + 4 * n));
    this.at += 4 * n;
    return out;
  }

  float32s(): Float32Array {
    const n = this.number();
    const out = new Float32Array(n);
    new Uint8Array(out.buffer).set(this.bytes.subarray(this.at, this.at + 4 * n));
    this.at += 4 * n;
    return out;
  }

  /** Throws unless every byte was read: a truncated or mismatched state. */
  end(): void {
    if (this.at !== this.bytes.length) throw new Error(`recsys state: ${this.bytes.length - this.at} unread bytes`);
  }
}
