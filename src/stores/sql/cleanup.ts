/**
 * Runs `task` every `intervalMs` on an unref'd timer (it never keeps the process alive), never
 * two runs at once, and hands any failure to `report` instead of throwing.
 * @returns the function that stops the runner.
 */
export function startCleanupRunner(
  task: () => Promise<unknown>,
  intervalMs: number,
  report: (error: unknown) => void,
): () => void {
  let running = false;

  const timer = setInterval(() => {
    // A run slower than the interval makes the next tick a no-op rather than a pile-up.
    if (running) return;
    running = true;
    task()
      .catch(report)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();

  return () => clearInterval(timer);
}
