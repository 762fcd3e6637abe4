import { beforeEach, describe, expect, it, vi } from "vitest";
import { cookie, flipLast, reasonOf, setup } from "./fixture.js";

// Counts the constant-time comparisons the core makes, with the real comparison behind them.
const comparisons = vi.hoisted(() => [] as Array<[number, number]>);

vi.mock("@oslojs/crypto/subtle", async (importOriginal) => {
  const original = await importOriginal<typeof import("@oslojs/crypto/subtle")>();
  return {
    ...original,
    constantTimeEqual: (a: Uint8Array, b: Uint8Array): boolean => {
      comparisons.push([a.length, b.length]);
      return original.constantTimeEqual(a, b);
    },
  };
});

beforeEach(() => {
  comparisons.length = 0;
});

describe("validateCookieHeader (TIM-01)", () => {
  it("makes one equal-length digest comparison for an unknown id and a wrong secret", async () => {
    const { manager } = setup();
    const { token } = await manager.create();
    const unknown = "Q".repeat(22) + token.slice(22);

    comparisons.length = 0;
    const unknownResult = await manager.validateCookieHeader(cookie(unknown));
    const forUnknown = [...comparisons];
    comparisons.length = 0;
    const wrongResult = await manager.validateCookieHeader(cookie(flipLast(token)));
    const forWrongSecret = [...comparisons];

    expect(reasonOf(unknownResult)).toBe("unknown");
    expect(reasonOf(wrongResult)).toBe("bad-secret");
    expect(forUnknown).toEqual([[43, 43]]);
    expect(forWrongSecret).toEqual([[43, 43]]);
  });

  it("makes one comparison for a valid token too", async () => {
    const { manager } = setup();
    const { token } = await manager.create();
    comparisons.length = 0;

    expect((await manager.validateCookieHeader(cookie(token))).ok).toBe(true);
    expect(comparisons).toEqual([[43, 43]]);
  });
});
