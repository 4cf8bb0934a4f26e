/**
 * Cursor pagination for every list a tool returns.
 *
 * The cursor is opaque to the model: base64 of the offset and a fingerprint of
 * the filter it was issued for, so a cursor replayed with different filters is
 * rejected instead of silently skipping rows.
 */
import { z } from "zod";
import { invalidInput } from "../pbs/errors.ts";

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor?: string;
}

export const PaginationOutput = {
  total: z.number().int(),
  returned: z.number().int(),
  next_cursor: z.string().optional(),
};

function fingerprint(filter: unknown): string {
  const text = JSON.stringify(filter ?? null);
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
  return (hash >>> 0).toString(36);
}

export function encodeCursor(offset: number, filter: unknown): string {
  return btoa(JSON.stringify({ o: offset, f: fingerprint(filter) }));
}

export function decodeCursor(cursor: string | undefined, filter: unknown): number {
  if (cursor === undefined || cursor === "") return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(atob(cursor));
  } catch {
    parsed = undefined;
  }
  const record = parsed as { o?: unknown; f?: unknown } | undefined;
  if (typeof record?.o !== "number" || !Number.isInteger(record.o) || record.o < 0) {
    throw invalidInput(
      "cursor is not one this server issued",
      "Pass next_cursor exactly as returned, or omit cursor to start from the first page.",
    );
  }
  if (record.f !== fingerprint(filter)) {
    throw invalidInput(
      "cursor was issued for different filters",
      "Repeat the call with the same filters as the call that returned the cursor, or omit cursor.",
    );
  }
  return record.o;
}

/** One page of `all`, starting at the cursor's offset. */
export function paginate<T>(
  all: T[],
  limit: number,
  cursor: string | undefined,
  filter: unknown,
): Page<T> {
  const offset = decodeCursor(cursor, filter);
  const items = all.slice(offset, offset + limit);
  const next = offset + items.length;
  return {
    items,
    total: all.length,
    nextCursor: next < all.length ? encodeCursor(next, filter) : undefined,
  };
}

/** A continuation hint for the text block. */
export function continuationHint(page: Page<unknown>, noun: string): string {
  if (!page.nextCursor) return `${page.items.length} of ${page.total} ${noun}.`;
  return `${page.items.length} of ${page.total} ${noun}; more with cursor "${page.nextCursor}".`;
}

/**
 * How large the rows of one page may grow. Both halves of an answer count: a
 * client forwards the text or the structured content to the model, so each
 * must stay within its budget on its own (rows are measured as they are
 * serialised: JSON of the row object, JSON string of the text line).
 */
export interface RowBudget {
  /** Characters each requested row may take on average, per half: `limit` rows get limit × this. */
  perRow: number;
  /** Characters the rows of one half may take at most, whatever the limit. */
  max: number;
}

export interface RowPage<R> extends Page<R> {
  offset: number;
  /** One text line per row, in the same order. */
  lines: string[];
  /** True when fewer than `limit` rows were returned only to stay within the budget. */
  cut: boolean;
}

/**
 * One page of rows and their text lines, cut short when `limit` rows would
 * exceed the budget of either half; the cursor then continues right after
 * the last row shown, so nothing is skipped.
 */
export function pageOfRows<T, R>(
  all: readonly T[],
  options: {
    limit: number;
    cursor: string | undefined;
    filter: unknown;
    row: (item: T) => R;
    line: (row: R) => string;
    budget: RowBudget;
  },
): RowPage<R> {
  const offset = decodeCursor(options.cursor, options.filter);
  const budget = Math.min(options.budget.max, options.limit * options.budget.perRow);
  const rows: R[] = [];
  const lines: string[] = [];
  let structuredUsed = 0;
  let textUsed = 0;
  for (const item of all.slice(offset, offset + options.limit)) {
    const row = options.row(item);
    const line = options.line(row);
    structuredUsed += JSON.stringify(row).length + 1;
    textUsed += JSON.stringify(line).length - 1;
    if ((structuredUsed > budget || textUsed > budget) && rows.length > 0) break;
    rows.push(row);
    lines.push(line);
  }
  const next = offset + rows.length;
  return {
    items: rows,
    lines,
    total: all.length,
    offset,
    cut: rows.length < Math.min(options.limit, all.length - offset),
    nextCursor: next < all.length ? encodeCursor(next, options.filter) : undefined,
  };
}
