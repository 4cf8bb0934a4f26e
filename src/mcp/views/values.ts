/**
 * Small helpers the views share: PBS attribute values as numbers or text,
 * capped lists and the zod shape of a resource map.
 */
import { z } from "zod";
import type { PbsValue } from "../../pbs/model/types.ts";

/** Users listed for a queue ACL or reservation before counting the rest. */
export const MAX_USERS = 20;

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Drops undefined fields so structured answers carry no `undefined` noise. */
export function defined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== undefined),
  ) as T;
}

export function asNumber(value: PbsValue | undefined): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function asText(value: PbsValue | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

/** Non-zero counts only: `{Queued: 3, Running: 1}`. */
export function nonZero(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

export function cappedList(
  items: readonly string[],
  max: number,
): { items: string[]; more: number } {
  return { items: items.slice(0, max), more: Math.max(0, items.length - max) };
}

export const resourceMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
