/**
 * Readiness checks for the real servers the store suites talk to. A suite calls
 * `serviceAvailable()` at the top of its file and wraps itself in `describe.runIf(available)`.
 * When the server is absent, outside CI the suite is skipped with a loud message naming the
 * command that starts the server; under `CI=true` the absence is an error, so CI cannot pass
 * without the server.
 */

/** The start commands for the services this machine provides. */
export const START_COMMANDS = {
  redis:
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" ' +
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log",
  postgres: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  mariadb: "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd",
} as const;

/** Which service a suite needs. */
export type ServiceName = keyof typeof START_COMMANDS;

/**
 * Polls `probe` until it resolves or `timeoutMs` passes (bounded retries, no fixed sleep).
 * @returns whether the service answered.
 */
export async function serviceAvailable(
  service: ServiceName,
  probe: () => Promise<unknown>,
  timeoutMs = 5_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;

  while (Date.now() < deadline) {
    try {
      await probe();
      return true;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const message =
    `\n*** ${service} is not reachable (${String(lastError)}).\n` +
    `*** Its store suite is SKIPPED. Start it with:\n***   ${START_COMMANDS[service]}\n`;
  if (process.env.CI === "true") {
    throw new Error(`${message}*** Under CI=true an absent server is a failure.`);
  }
  process.stderr.write(message);
  return false;
}

/** Polls `check` until it returns true, at most `timeoutMs`; throws when it never does. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;

  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // Not ready yet; poll again.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A name unique to this test run, for key prefixes, table names and database numbers. */
export function uniqueName(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${random}`;
}
