/** `a` copied into a new array of at least `size` slots and at least twice its length (new slots 0). */
export function grownInt32(a: Int32Array, size = 0): Int32Array<ArrayBuffer> {
  const next = new Int32Array(Math.max(size, a.length * 2));
  next.set(a);
  return next;
}
