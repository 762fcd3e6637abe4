/**
 * A tiny SQL builder that keeps values out of the SQL text. Every interpolated value becomes a
 * bound parameter; only fragments made by `raw()` (validated identifiers and constant SQL) are
 * spliced into the text. Each driver renders the placeholders in its own style.
 */

/** A piece of SQL text with the values bound to its placeholders. */
export class SqlFragment {
  /** The text around the placeholders; one more entry than `values`. */
  readonly strings: readonly string[];
  /** The bound values, in placeholder order. */
  readonly values: readonly unknown[];

  constructor(strings: readonly string[], values: readonly unknown[]) {
    this.strings = strings;
    this.values = values;
  }
}

/** A statement rendered for one driver: SQL text and its parameters. */
export interface RenderedStatement {
  text: string;
  values: unknown[];
}

/**
 * Builds a fragment from a template. Interpolated `SqlFragment`s are inlined (with their own
 * values); every other interpolated value is bound as a parameter.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  const outStrings: string[] = [strings[0] ?? ""];
  const outValues: unknown[] = [];

  values.forEach((value, index) => {
    const after = strings[index + 1] ?? "";
    if (value instanceof SqlFragment) {
      outStrings[outStrings.length - 1] += value.strings[0] ?? "";
      for (let i = 0; i < value.values.length; i++) {
        outValues.push(value.values[i]);
        outStrings.push(value.strings[i + 1] ?? "");
      }
      outStrings[outStrings.length - 1] += after;
      return;
    }
    outValues.push(value);
    outStrings.push(after);
  });

  return new SqlFragment(outStrings, outValues);
}

/** SQL text spliced in as is. Only for validated identifiers and constant SQL, never values. */
export function raw(text: string): SqlFragment {
  return new SqlFragment([text], []);
}

/** Joins fragments with a separator (constant SQL such as `", "`). */
export function join(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  const strings: string[] = [""];
  const values: unknown[] = [];

  fragments.forEach((fragment, index) => {
    if (index > 0) strings[strings.length - 1] += separator;
    strings[strings.length - 1] += fragment.strings[0] ?? "";
    for (let i = 0; i < fragment.values.length; i++) {
      values.push(fragment.values[i]);
      strings.push(fragment.strings[i + 1] ?? "");
    }
  });

  return new SqlFragment(strings, values);
}

/**
 * Renders a fragment with a placeholder style.
 * @param placeholder the text for the parameter at a 1-based position (`$1` or `?`).
 */
export function render(
  fragment: SqlFragment,
  placeholder: (position: number) => string,
): RenderedStatement {
  let text = fragment.strings[0] ?? "";
  for (let i = 0; i < fragment.values.length; i++) {
    text += placeholder(i + 1) + (fragment.strings[i + 1] ?? "");
  }
  return { text, values: [...fragment.values] };
}
