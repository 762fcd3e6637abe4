/**
 * A binary min-heap of (expiresAt, id) pairs, so that the sweep and the cap find the records
 * that expire first without scanning every record. Entries are never updated in place: a
 * changed deadline pushes a new entry, and the owner discards entries that no longer match the
 * record (lazy deletion). {@link ExpiryQueue.rebuild} bounds the stale entries.
 */
export class ExpiryQueue {
  // Parallel arrays: a packed array of doubles and one of strings cost less than an object
  // per entry.
  #times: number[] = [];
  #ids: string[] = [];

  /** How many entries, stale ones included. */
  get length(): number {
    return this.#times.length;
  }

  /** The earliest deadline, or `undefined` when empty. */
  peekTime(): number | undefined {
    return this.#times[0];
  }

  /** The id of the earliest deadline, or `undefined` when empty. */
  peekId(): string | undefined {
    return this.#ids[0];
  }

  /** Adds an entry. */
  push(expiresAt: number, id: string): void {
    this.#times.push(expiresAt);
    this.#ids.push(id);
    this.#siftUp(this.#times.length - 1);
  }

  /** Removes the earliest entry. */
  pop(): void {
    const lastTime = this.#times.pop();
    const lastId = this.#ids.pop();
    if (lastTime === undefined || lastId === undefined || this.#times.length === 0) return;

    this.#times[0] = lastTime;
    this.#ids[0] = lastId;
    this.#siftDown(0);
  }

  /** Replaces every entry with `entries` (the live deadlines), in linear time. */
  rebuild(entries: Iterable<{ id: string; expiresAt: number }>): void {
    this.#times = [];
    this.#ids = [];
    for (const entry of entries) {
      this.#times.push(entry.expiresAt);
      this.#ids.push(entry.id);
    }

    for (let index = (this.#times.length >> 1) - 1; index >= 0; index--) this.#siftDown(index);
  }

  #siftUp(start: number): void {
    const times = this.#times;
    let index = start;

    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((times[parent] as number) <= (times[index] as number)) return;
      this.#swap(index, parent);
      index = parent;
    }
  }

  #siftDown(start: number): void {
    const times = this.#times;
    const count = times.length;
    let index = start;

    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < count && (times[left] as number) < (times[smallest] as number)) smallest = left;
      if (right < count && (times[right] as number) < (times[smallest] as number)) smallest = right;
      if (smallest === index) return;
      this.#swap(index, smallest);
      index = smallest;
    }
  }

  #swap(a: number, b: number): void {
    const time = this.#times[a] as number;
    const id = this.#ids[a] as string;
    this.#times[a] = this.#times[b] as number;
    this.#ids[a] = this.#ids[b] as string;
    this.#times[b] = time;
    this.#ids[b] = id;
  }
}
