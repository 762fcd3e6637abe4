/**
 * Small statistics and formatting helpers for the benchmark report: medians, spreads and ratios
 * of rounds from one run.
 */

/** The median of a list of numbers (`NaN` for an empty list). */
export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The spread of the rounds around their median, as ±percent of the median (half the range). */
export function spreadPercent(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  const m = median(finite);
  if (finite.length < 2 || !Number.isFinite(m) || m === 0) return NaN;
  return ((Math.max(...finite) - Math.min(...finite)) / 2 / m) * 100;
}

/** `a / b`, or `NaN` when either side is missing. */
export function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/** A number with thousands separators, or "—". */
export function fmtInt(value) {
  if (!Number.isFinite(value)) return "—";
  return Math.round(value).toLocaleString("en-US");
}

/** A number with `digits` decimals, or "—". */
export function fmt(value, digits = 2) {
  if (!Number.isFinite(value)) return "—";
  return value.toFixed(digits);
}

/** A ratio as "0.83×", or "—". */
export function fmtRatio(value) {
  if (!Number.isFinite(value)) return "—";
  return `${value.toFixed(2)}×`;
}

/** A spread as "±3.1 %", or "—". */
export function fmtSpread(value) {
  if (!Number.isFinite(value)) return "—";
  return `±${value.toFixed(1)} %`;
}

/** A Markdown table from a header row and data rows. */
export function table(header, rows) {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}
