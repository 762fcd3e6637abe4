import type { SQLStore } from "../../../src/stores/sql/sql-store.js";
import { raw, sql, type SqlFragment } from "../../../src/stores/sql/statement.js";
import type { ContractHarness, CorruptVariant } from "../../contract/store-contract.js";
import { makeRecord } from "../../support/records.js";

/** Runs one statement over the test's own connection and gives the rows it returned. */
export type ExecRows = (
  statement: SqlFragment,
) => Promise<Record<string, unknown>[]> | Record<string, unknown>[];

/**
 * The contract suite's harness for a SQL store on `table`: migrates the table, and spoils a row
 * with the dialect's hand edits (`spoil`), creating the row first when it is not there.
 */
export async function sqlContractHarness(
  store: SQLStore,
  table: string,
  exec: ExecRows,
  spoil: Record<CorruptVariant, SqlFragment>,
): Promise<ContractHarness> {
  await store.migrate();

  return {
    store,
    async writeCorrupt(id, variant) {
      const found = await exec(sql`SELECT id FROM ${raw(table)} WHERE id = ${id}`);
      if (found.length === 0) await store.create(makeRecord({ id }));
      await exec(sql`UPDATE ${raw(table)} SET ${spoil[variant]} WHERE id = ${id}`);
    },
    close: () => store.close(),
  };
}
