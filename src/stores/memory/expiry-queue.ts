const INITIAL_CAPACITY = 64;
const NOT_QUEUED = -1;

/**
 * Record deadlines by slot, with an indexed binary min-heap over them, so that the sweep and the
 * cap find the records that expire first without scanning every record. Each slot knows its heap
 * position, so a changed deadline moves its one entry and a removed record takes its entry
 * along: the heap holds exactly one entry per queued slot, and no stale ones pile up under
 * renewals.
 *
 * The queue is where a record's `expiresAt` lives (the record columns do not repeat it).
 * Everything sits in typed arrays (a deadline, a heap entry and a position per slot), 16 bytes
 * and no heap object per record. Slots are the small non-negative integers that the record
 * columns hand out; the arrays grow by doubling to the highest slot seen.
 */
export class ExpiryQueue {
  #size = 0;
  #deadlines = new Float64Array(INITIAL_CAPACITY);
  #heap = new Int32Array(INITIAL_CAPACITY);
  #positions = new Int32Array(INITIAL_CAPACITY).fill(NOT_QUEUED);

  /** How many slots are queued. */
  get size(): number {
    return this.#size;
  }

  /** The deadline last set for `slot` (still readable after {@link ExpiryQueue.delete}). */
  deadline(slot: number): number {
    return this.#deadlines[slot] as number;
  }

  /** The slot with the earliest deadline, or -1 when empty. */
  peekSlot(): number {
    return this.#size === 0 ? NOT_QUEUED : (this.#heap[0] as number);
  }

  /** The earliest deadline, or `Infinity` when empty. */
  peekTime(): number {
    return this.#size === 0
      ? Number.POSITIVE_INFINITY
      : (this.#deadlines[this.#heap[0] as number] as number);
  }

  /** Queues `slot` at `expiresAt`, or moves it there if already queued. Never give it NaN. */
  set(slot: number, expiresAt: number): void {
    if (slot >= this.#positions.length) this.#grow(slot + 1);
    const position = this.#positions[slot] as number;
    const earlier = expiresAt < (this.#deadlines[slot] as number);
    this.#deadlines[slot] = expiresAt;

    if (position === NOT_QUEUED) {
      this.#size += 1;
      this.#siftUp(this.#size - 1, slot);
    } else if (earlier) this.#siftUp(position, slot);
    else this.#siftDown(position, slot);
  }

  /** Takes `slot` out of the queue; a slot not queued is a no-op. */
  delete(slot: number): void {
    const position = slot < this.#positions.length ? (this.#positions[slot] as number) : -1;
    if (position === NOT_QUEUED) return;

    this.#positions[slot] = NOT_QUEUED;
    this.#size -= 1;
    if (position === this.#size) return;

    // The last entry fills the hole, then moves whichever way restores the heap order.
    const last = this.#heap[this.#size] as number;
    const parent = (position - 1) >> 1;
    if (position > 0 && this.#before(last, this.#heap[parent] as number)) {
      this.#siftUp(position, last);
    } else {
      this.#siftDown(position, last);
    }
  }

  // Both sifts carry the moving slot in a hole and write it once, at its final position.
  #siftUp(start: number, slot: number): void {
    let index = start;

    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentSlot = this.#heap[parent] as number;
      if (!this.#before(slot, parentSlot)) break;
      this.#place(index, parentSlot);
      index = parent;
    }
    this.#place(index, slot);
  }

  #siftDown(start: number, slot: number): void {
    const heap = this.#heap;
    const count = this.#size;
    let index = start;

    for (;;) {
      const left = 2 * index + 1;
      if (left >= count) break;
      const right = left + 1;
      const first =
        right < count && this.#before(heap[right] as number, heap[left] as number) ? right : left;
      const child = heap[first] as number;
      if (!this.#before(child, slot)) break;
      this.#place(index, child);
      index = first;
    }
    this.#place(index, slot);
  }

  #before(a: number, b: number): boolean {
    return (this.#deadlines[a] as number) < (this.#deadlines[b] as number);
  }

  #place(index: number, slot: number): void {
    this.#heap[index] = slot;
    this.#positions[slot] = index;
  }

  // The heap never holds more entries than there are slots, so one capacity serves all three.
  #grow(needed: number): void {
    let capacity = this.#positions.length * 2;
    while (capacity < needed) capacity *= 2;
    const deadlines = new Float64Array(capacity);
    const heap = new Int32Array(capacity);
    const positions = new Int32Array(capacity).fill(NOT_QUEUED);

    deadlines.set(this.#deadlines);
    heap.set(this.#heap);
    positions.set(this.#positions);
    this.#deadlines = deadlines;
    this.#heap = heap;
    this.#positions = positions;
  }
}
