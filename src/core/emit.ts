import type { EventHandler, SessionEvent } from "./events.js";

/**
 * Hands an event to the app's handler. A handler that throws must not break the request, so
 * its error is swallowed here: there is nowhere else to report it without logging.
 */
export function emitEvent(handler: EventHandler | null, event: SessionEvent): void {
  if (handler === null) return;
  try {
    handler(event);
  } catch {
    // Deliberately ignored; see above.
  }
}

/** The part of a session id that events and device lists may show. */
export function idPrefix(id: string): string {
  return id.slice(0, 8);
}
