import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { isPbsError } from "../../src/pbs/errors.ts";
import {
  continuationHint,
  decodeCursor,
  encodeCursor,
  paginate,
} from "../../src/mcp/pagination.ts";

function rejectsCursor(fn: () => unknown, message: RegExp) {
  assert.throws(fn, (error) => {
    assert.ok(isPbsError(error), `expected a PbsError, got ${error}`);
    assert.equal(error.kind, "invalid_input");
    assert.match(error.message, message);
    assert.match(error.hint, /omit cursor/);
    return true;
  });
}

/** Follows next cursors from the first page to the last. */
function allPages<T>(items: T[], limit: number, filter: unknown): T[][] {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard <= items.length + 1; guard++) {
    const page = paginate(items, limit, cursor, filter);
    assert.equal(page.total, items.length);
    pages.push(page.items);
    cursor = page.nextCursor;
    if (cursor === undefined) return pages;
  }
  throw new Error("pagination did not terminate");
}

Deno.test("paginate", async (t) => {
  const items = Array.from({ length: 7 }, (_, i) => `job${i}`);
  const filter = { states: "R", user: "me" };

  await t.step("the first page, then the rest via next_cursor", () => {
    const first = paginate(items, 3, undefined, filter);
    assert.deepEqual(first.items, ["job0", "job1", "job2"]);
    assert.equal(first.total, 7);
    assert.ok(first.nextCursor);
    const second = paginate(items, 3, first.nextCursor, filter);
    assert.deepEqual(second.items, ["job3", "job4", "job5"]);
    const third = paginate(items, 3, second.nextCursor, filter);
    assert.deepEqual(third.items, ["job6"]);
    assert.equal(third.nextCursor, undefined);
  });

  await t.step("an empty cursor is the first page; a list that fits has no next cursor", () => {
    assert.deepEqual(paginate(items, 3, "", filter).items, ["job0", "job1", "job2"]);
    assert.equal(paginate(items, 7, undefined, filter).nextCursor, undefined);
    assert.deepEqual(paginate([], 5, undefined, filter), {
      items: [],
      total: 0,
      nextCursor: undefined,
    });
  });

  await t.step(
    "property: pages cover every item exactly once, in order, none empty but the only one",
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 1, max: 25 }),
          fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
          (size, limit, anyFilter) => {
            const list = Array.from({ length: size }, (_, i) => i);
            const pages = allPages(list, limit, anyFilter);
            assert.deepEqual(pages.flat(), list);
            assert.equal(pages.length, Math.max(1, Math.ceil(size / limit)));
            for (const page of pages) assert.ok(page.length <= limit);
            if (size > 0) { for (const page of pages) assert.ok(page.length > 0); }
          },
        ),
      );
    },
  );

  await t.step("a cursor issued for other filters is rejected", () => {
    const cursor = paginate(items, 3, undefined, filter).nextCursor;
    rejectsCursor(
      () => paginate(items, 3, cursor, { states: "Q", user: "me" }),
      /different filters/,
    );
    rejectsCursor(() => paginate(items, 3, cursor, undefined), /different filters/);
  });

  await t.step("a cursor only works with the filter it was issued for", () => {
    const filters = [
      undefined,
      { states: "R" },
      { states: "Q" },
      { states: "R", user: "me" },
      { queue: "workq" },
      { queue: "debug", includeFinished: true },
      { queue: "debug", includeFinished: false },
    ];
    filters.forEach((issued, i) => {
      const cursor = encodeCursor(4, issued);
      assert.equal(decodeCursor(cursor, issued), 4);
      filters.forEach((other, j) => {
        if (i !== j) rejectsCursor(() => decodeCursor(cursor, other), /different filters/);
      });
    });
  });

  await t.step("a garbage cursor is rejected with a hint", () => {
    for (
      const garbage of [
        "not base64 at all!",
        btoa("not json"),
        btoa("null"),
        btoa("[]"),
        btoa(JSON.stringify({ o: "3", f: "x" })),
        btoa(JSON.stringify({ o: -1, f: "x" })),
        btoa(JSON.stringify({ o: 1.5, f: "x" })),
        btoa(JSON.stringify({ f: "x" })),
      ]
    ) {
      rejectsCursor(() => paginate(items, 3, garbage, filter), /not one this server issued/);
    }
  });

  await t.step("a cursor past the end gives an empty last page", () => {
    const page = paginate(items, 3, encodeCursor(50, filter), filter);
    assert.deepEqual(page.items, []);
    assert.equal(page.total, 7);
    assert.equal(page.nextCursor, undefined);
  });
});

Deno.test("continuationHint", async (t) => {
  await t.step("says how many, and how to get more when there is more", () => {
    const items = ["a", "b", "c"];
    const first = paginate(items, 2, undefined, {});
    assert.equal(
      continuationHint(first, "jobs"),
      `2 of 3 jobs; more with cursor "${first.nextCursor}".`,
    );
    const last = paginate(items, 2, first.nextCursor, {});
    assert.equal(continuationHint(last, "jobs"), "1 of 3 jobs.");
  });
});
