import type { SessionStore } from "../../src/core/store.js";

/** The store methods, for counting and fault injection. */
export type StoreMethod = keyof SessionStore;

/** What an injected fault does to a store call. */
export type Fault = "hang" | "reject" | ((method: StoreMethod) => Promise<unknown>);

/**
 * Wraps a real store (the memory store in core tests) to count calls per method and, when a
 * fault is set, to make calls hang or reject. It forwards to the real store otherwise; it is a
 * failure injector, not a fake.
 */
export class InstrumentedStore implements SessionStore {
  readonly calls = new Map<StoreMethod, number>();
  fault: { methods: ReadonlySet<StoreMethod> | "all"; fault: Fault } | null = null;
  readonly #inner: SessionStore;

  constructor(inner: SessionStore) {
    this.#inner = inner;
  }

  /** Calls of `method` so far. */
  count(method: StoreMethod): number {
    return this.calls.get(method) ?? 0;
  }

  /** Calls of every method so far. */
  total(): number {
    return [...this.calls.values()].reduce((sum, n) => sum + n, 0);
  }

  resetCounts(): void {
    this.calls.clear();
  }

  #run<T>(method: StoreMethod, forward: () => Promise<T>): Promise<T> {
    this.calls.set(method, this.count(method) + 1);
    const active = this.fault;
    if (active !== null && (active.methods === "all" || active.methods.has(method))) {
      if (active.fault === "hang") return new Promise<T>(() => {});
      if (active.fault === "reject") return Promise.reject(new Error(`injected ${method} fault`));
      return active.fault(method) as Promise<T>;
    }
    return forward();
  }

  get: SessionStore["get"] = (id) => this.#run("get", () => this.#inner.get(id));
  create: SessionStore["create"] = (r) => this.#run("create", () => this.#inner.create(r));
  touch: SessionStore["touch"] = (id, t) => this.#run("touch", () => this.#inner.touch(id, t));
  writeData: SessionStore["writeData"] = (id, w, v) =>
    this.#run("writeData", () => this.#inner.writeData(id, w, v));
  supersede: SessionStore["supersede"] = (id, v, s, o) =>
    this.#run("supersede", () => this.#inner.supersede(id, v, s, o));
  markRevoked: SessionStore["markRevoked"] = (id, until) =>
    this.#run("markRevoked", () => this.#inner.markRevoked(id, until));
  markRevokedByUser: SessionStore["markRevokedByUser"] = (user, until, except) =>
    this.#run("markRevokedByUser", () => this.#inner.markRevokedByUser(user, until, except));
  listByUser: SessionStore["listByUser"] = (user) =>
    this.#run("listByUser", () => this.#inner.listByUser(user));
  delete: SessionStore["delete"] = (id) => this.#run("delete", () => this.#inner.delete(id));
}
