/** The handle of a running sweep timer. */
export interface SweepTimer {
  stop(): void;
}

/** What the timer sweeps. */
interface Sweepable {
  sweep(): number;
}

/**
 * Calls `target.sweep()` every `intervalMs`. The timer never keeps the process alive (unref'd
 * on Node and Bun, `Deno.unrefTimer` on Deno), and it holds its target only weakly: a store the
 * app drops without closing is collected, and its timer then stops itself.
 */
export function sweepTimer(target: Sweepable, intervalMs: number): SweepTimer {
  const ref = new WeakRef(target);
  const handle: unknown = setInterval(() => {
    const store = ref.deref();
    if (store === undefined) clearInterval(handle as Parameters<typeof clearInterval>[0]);
    else store.sweep();
  }, intervalMs);

  unref(handle);
  return { stop: () => clearInterval(handle as Parameters<typeof clearInterval>[0]) };
}

function unref(handle: unknown): void {
  if (typeof handle === "object" && handle !== null && "unref" in handle) {
    const method = (handle as { unref: unknown }).unref;
    if (typeof method === "function") method.call(handle);
    return;
  }

  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof handle === "number") deno?.unrefTimer?.(handle);
}
