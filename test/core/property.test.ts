import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { setup } from "./fixture.js";

const NAME = "__Host-sid";

// Independent oracle: whether some `;`-separated pair of some field is exactly NAME with an
// issued token as its value (spaces and tabs around name and value allowed, RFC 6265bis §5.6).
function carriesIssuedToken(header: string | string[], issued: ReadonlySet<string>): boolean {
  const fields = Array.isArray(header) ? header : [header];
  return fields.some((field) =>
    field.split(";").some((pair) => {
      const at = pair.indexOf("=");
      if (at === -1) return false;
      const name = pair.slice(0, at).replace(/^[ \t]+|[ \t]+$/g, "");
      const value = pair.slice(at + 1).replace(/^[ \t]+|[ \t]+$/g, "");
      return name === NAME && issued.has(value);
    }),
  );
}

describe("validateCookieHeader (property)", () => {
  it("never throws and is ok only when an issued token is sent under the exact name", async () => {
    const { manager } = setup();
    const tokens = [(await manager.create()).token, (await manager.create()).token];
    const issued = new Set(tokens);
    const token = fc.constantFrom(...tokens);

    // Fragments around the session cookie: near-miss names, near-miss values, junk.
    const pair = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary" }),
      token.map((t) => `${NAME}=${t}`),
      token.map((t) => `sid=${t}`),
      token.map((t) => `__host-sid=${t}`),
      fc.tuple(token, fc.string({ maxLength: 3 })).map(([t, s]) => `${NAME}=${t}${s}`),
      fc.tuple(token, fc.nat(65)).map(([t, n]) => `${NAME}=${t.slice(0, n)}`),
      fc.tuple(fc.constantFrom(" ", "\t", "", "  "), token).map(([s, t]) => `${s}${NAME}=${s}${t}`),
      token.map((t) => `${NAME}="${t}"`),
      token,
    );
    const field = fc.array(pair, { maxLength: 5 }).map((pairs) => pairs.join(";"));
    const header = fc.oneof(
      fc.string(),
      field,
      fc.array(fc.oneof(fc.string(), field), { maxLength: 4 }),
    );

    let accepted = 0;

    await fc.assert(
      fc.asyncProperty(header, async (value) => {
        const result = await manager.validateCookieHeader(value);
        if (result.ok) accepted++;
        if (result.ok) expect(carriesIssuedToken(value, issued)).toBe(true);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 10_000 },
    );
    // The generator must reach the accepting side too, or the property says little.
    expect(accepted).toBeGreaterThan(100);
  });
});
