/** `a` copied into a new array of at least `size` slots and at least twice its length (new slots 0). */
export function grownInt32(a: Int32Array, size = 0): Int32Array<ArrayBuffer> {
  return resizedInt32(a, Math.max(size, a.length * 2));
}

/** `a` copied into a new array of exactly `size` slots (new slots 0; `size` ≥ its length). */
export function resizedInt32(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(a);
  return next;
}
