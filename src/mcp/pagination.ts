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
