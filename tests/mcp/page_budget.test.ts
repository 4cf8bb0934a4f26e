/**
 * pageOfRows cuts a page when either half (the JSON rows or the text lines)
 * would outgrow its budget, and the cursor continues right after the cut.
 */
import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { pageOfRows, type RowBudget } from "../../src/mcp/pagination.ts";

const budget: RowBudget = { perRow: 100, max: 1_000 };

function page(
  items: number[],
  line: (row: { n: number }) => string,
  limit: number,
  cursor?: string,
) {
  return pageOfRows(items, {
    limit,
    cursor,
    filter: { f: 1 },
    row: (n) => ({ n }),
    line,
    budget,
  });
}

Deno.test("pageOfRows counts both halves against the budget", async (t) => {
  const items = Array.from({ length: 50 }, (_, i) => i);

  await t.step("short rows and lines: the whole limit", () => {
    const p = page(items, (r) => `job ${r.n}`, 20);
    assert.equal(p.items.length, 20);
    assert.equal(p.lines.length, 20);
    assert.equal(p.cut, false);
  });

  await t.step("long text lines cut the page though the rows are small", () => {
    const p = page(items, (r) => `job ${r.n} ${"x".repeat(90)}`, 50);
    // 50 rows × ~10 characters of JSON fit; 50 lines × ~100 do not fit 1,000.
    assert.ok(p.items.length < 15 && p.items.length > 0, `${p.items.length} rows`);
    assert.equal(p.cut, true);
    const used = p.lines.reduce((n, l) => n + JSON.stringify(l).length - 1, 0);
    assert.ok(used <= budget.max, `${used} characters of text`);
  });

  await t.step("a single oversized row is still returned, so paging always advances", () => {
    const p = page(items, () => "y".repeat(5_000), 10);
    assert.equal(p.items.length, 1);
    assert.ok(p.nextCursor);
  });

  await t.step("the pages of a cut listing cover every item once, in order", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 300 }), (
      limit,
      width,
    ) => {
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard <= items.length; guard++) {
        const p = page(items, (r) => `${r.n} ${"z".repeat(width)}`, limit, cursor);
        seen.push(...p.items.map((r) => r.n));
        cursor = p.nextCursor;
        if (!cursor) break;
      }
      assert.deepEqual(seen, items);
    }));
  });
});
