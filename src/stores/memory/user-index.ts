/**
 * The memory store's per-user index: user id to the ids of that user's records. Most users
 * hold one session, so a single id is kept as a bare string and a `Set` is made only for the
 * second one; this keeps the per-session memory cost low.
 */
export class UserIndex {
  readonly #entries = new Map<string, string | Set<string>>();

  /** How many users have at least one indexed record. */
  get size(): number {
    return this.#entries.size;
  }

  /** Records `id` under `userId`. */
  add(userId: string, id: string): void {
    const entry = this.#entries.get(userId);

    if (entry === undefined) this.#entries.set(userId, id);
    else if (typeof entry === "string") {
      if (entry !== id) this.#entries.set(userId, new Set([entry, id]));
    } else entry.add(id);
  }

  /** Forgets `id` under `userId`; drops the user when nothing is left. */
  remove(userId: string, id: string): void {
    const entry = this.#entries.get(userId);

    if (entry === undefined) return;
    if (typeof entry === "string") {
      if (entry === id) this.#entries.delete(userId);
      return;
    }

    entry.delete(id);
    if (entry.size === 1) this.#entries.set(userId, entry.values().next().value as string);
    else if (entry.size === 0) this.#entries.delete(userId);
  }

  /** A snapshot of the ids under `userId` (safe to change the index while walking it). */
  ids(userId: string): string[] {
    const entry = this.#entries.get(userId);

    if (entry === undefined) return [];
    return typeof entry === "string" ? [entry] : [...entry];
  }
}
