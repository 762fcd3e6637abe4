import { ConfigError } from "./errors.js";

/**
 * Refuses option names latchkey does not know. A misspelt option (`samesite`, `idleTimeout`)
 * would otherwise be ignored and its default would run, which for a security setting is worse
 * than failing at start-up.
 * @param field the dotted path of the options object (`""` for the top level, `cookie`…).
 * @throws ConfigError naming the unknown option, with the nearest known name when one is close.
 */
export function checkKnownKeys(field: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;

    const nearest = nearestName(key, known);
    const hint = nearest === null ? "" : ` (did you mean ${nearest}?)`;
    throw new ConfigError(field === "" ? key : `${field}.${key}`, `is not an option${hint}`);
  }
}

// A known name that differs only in case, extends the given one (`idleTimeout` →
// `idleTimeoutMs`), or is at most two edits away.
function nearestName(given: string, known: readonly string[]): string | null {
  const lower = given.toLowerCase();
  for (const name of known) {
    const candidate = name.toLowerCase();
    if (candidate === lower || candidate.startsWith(lower) || lower.startsWith(candidate)) {
      return name;
    }
  }
  return known.find((name) => editDistance(lower, name.toLowerCase()) <= 2) ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
