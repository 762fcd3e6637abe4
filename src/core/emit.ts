import type { EventHandler, SessionEvent } from "./events.js";

/**
 * Hands an event to the app's handler. A handler that throws must not break the request, so
 * its error is swallowed here: there is nowhere else to report it without logging. An `async`
 * handler's rejection is swallowed too; left alone it would be an unhandled rejection, which
 * ends a Node process by default, and any client sending a junk cookie could trigger one.
 */
export function emitEvent(handler: EventHandler | null | undefined, event: SessionEvent): void {
  if (handler === null || handler === undefined) return;
  try {
    const result: unknown = handler(event);
    if (isThenable(result)) result.then(undefined, ignore);
  } catch {
    // Deliberately ignored; see above.
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function ignore(): void {}

/** The part of a session id that events and device lists may show. */
export function idPrefix(id: string): string {
  return id.slice(0, 8);
}
