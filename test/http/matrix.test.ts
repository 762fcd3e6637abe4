import { afterEach, describe, it } from "vitest";
import { assertNoUnexpectedErrors, startCase, type CaseContext } from "./case-context.js";
import { CASES } from "./cases.js";
import { SHAPES } from "./shapes.js";

describe.each(SHAPES)("request shape: $name", (shape) => {
  let context: CaseContext | null = null;

  afterEach(async () => {
    await context?.server.close();
    context = null;
  });

  it.each(CASES)("$name", async (row) => {
    context = await startCase(shape, row.setup);
    await row.run(context);
    assertNoUnexpectedErrors(context, row.expectedEvents ?? []);
  });
});
