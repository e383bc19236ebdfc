/**
 * Maximum (or minimum) of a sliding window in amortised O(1) per bar: a monotonic deque of (index, value) pairs
 * whose values strictly decrease (for a maximum) from front to back, kept in ring buffers of `capacity` slots.
 * The front is the window's extreme. Callers never push NaN (they track it separately), which keeps the
 * comparisons meaningful.
 */
export class WindowExtreme {
  readonly #isMax: boolean;
  readonly #cap: number;
  readonly #idx: Float64Array;
  readonly #val: Float64Array;
  #head = 0;
  #len = 0;

  /** `capacity` must be at least the window length. */
  constructor(capacity: number, isMax: boolean) {
    this.#isMax = isMax;
    this.#cap = capacity;
    this.#idx = new Float64Array(capacity);
    this.#val = new Float64Array(capacity);
  }

  clear(): void {
    this.#head = 0;
    this.#len = 0;
  }

  push(index: number, value: number): void {
    const cap = this.#cap;
    const val = this.#val;
    let len = this.#len;
    if (this.#isMax) {
      while (len > 0) {
        const b = this.#head + len - 1;
        if ((val[b >= cap ? b - cap : b] as number) > value) break;
        len--;
      }
    } else {
      while (len > 0) {
        const b = this.#head + len - 1;
        if ((val[b >= cap ? b - cap : b] as number) < value) break;
        len--;
      }
    }
    const t = this.#head + len;
    const slot = t >= cap ? t - cap : t;
    this.#idx[slot] = index;
    val[slot] = value;
    this.#len = len + 1;
  }

  /** Drops entries with an index below `minIndex` (they have left the window). */
  evict(minIndex: number): void {
    while (this.#len > 0 && (this.#idx[this.#head] as number) < minIndex) {
      this.#head = this.#head + 1 === this.#cap ? 0 : this.#head + 1;
      this.#len--;
    }
  }

  /** The extreme of what is held; when empty −Infinity for a maximum, +Infinity for a minimum (the neutral
   * element, so `Math.max(front(), x)` needs no special case). */
  front(): number {
    if (this.#len > 0) return this.#val[this.#head] as number;
    return this.#isMax ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
}
