/**
 * Job ids, array ranges and dependency lists as PBS writes them.
 */
import { PBSE, SimError } from "./model.ts";

export interface ParsedJobId {
  seq: number;
  /** Undefined: a plain job id; `""`: the array parent `5[]`; a number: a subjob. */
  index?: number | "";
  suffix?: string;
}

const JOB_ID = /^(\d+)(?:\[(\d*)\])?(?:\.(.+))?$/;

/** `12`, `12.vm`, `5[]`, `5[3].vm`; throws UNKJOBID for anything else. */
export function parseJobId(id: string): ParsedJobId {
  const m = JOB_ID.exec(id.trim());
  if (!m) throw new SimError(PBSE.UNKJOBID, id);
  const index = m[2] === undefined ? undefined : m[2] === "" ? "" : Number(m[2]);
  return { seq: Number(m[1]), index, suffix: m[3] };
}

export interface ArrayRange {
  indices: number[];
  /** Text PBS keeps in array_indices_submitted (`1-10:3`), without the `%` limit. */
  text: string;
  step: number;
  limit?: number;
}

const RANGE = /^(\d+)(?:-(\d+)(?::(\d+))?)?(?:%(\d+))?$/;

/** `1-4`, `1-10:3`, `0-99%5`; throws BADATVAL when malformed. */
export function parseArrayRange(text: string): ArrayRange {
  const m = RANGE.exec(text.trim());
  if (!m) throw new SimError(PBSE.BADATVAL, "array_indices_submitted");
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (last < first || step < 1) throw new SimError(PBSE.BADATVAL, "array_indices_submitted");
  const indices: number[] = [];
  for (let i = first; i <= last; i += step) indices.push(i);
  const body = m[2] === undefined ? `${first}` : `${first}-${last}${step > 1 ? `:${step}` : ""}`;
  return { indices, text: body, step, limit: m[4] === undefined ? undefined : Number(m[4]) };
}

/** Compresses indices into PBS's range text (`1-10:3`, `2,5-7`); `-` when empty. */
export function formatIndices(indices: readonly number[], step: number): string {
  if (indices.length === 0) return "-";
  const parts: string[] = [];
  let start = indices[0];
  let prev = start;
  const flush = () => {
    if (prev === start) parts.push(`${start}`);
    else parts.push(`${start}-${prev}${step > 1 ? `:${step}` : ""}`);
  };
  for (let i = 1; i < indices.length; i++) {
    if (indices[i] - prev === step) {
      prev = indices[i];
      continue;
    }
    flush();
    start = prev = indices[i];
  }
  flush();
  return parts.join(",");
}

export const AFTER_TYPES = ["after", "afterok", "afternotok", "afterany"] as const;
export const BEFORE_TYPES = ["before", "beforeok", "beforenotok", "beforeany"] as const;
const OTHER_TYPES = ["on", "runone"];

export interface DependClause {
  type: string;
  /** Full ids (`2.vm`). */
  ids: string[];
}

/**
 * Parses `afterok:2.vm:3,beforeany:7` into clauses with full ids; throws
 * BADDEPEND on an unknown type or an empty list.
 */
export function parseDepend(text: string, serverName: string): DependClause[] {
  return text.split(",").map((clause) => {
    const [type, ...rest] = clause.split(":");
    const known = (AFTER_TYPES as readonly string[]).includes(type) ||
      (BEFORE_TYPES as readonly string[]).includes(type) || OTHER_TYPES.includes(type);
    if (!known || rest.length === 0) throw new SimError(PBSE.BADDEPEND, text);
    const ids = rest.map((id) => id.replace(/@.*$/, "")).map((id) =>
      type === "on" ? id : fullId(id, serverName)
    );
    return { type, ids };
  });
}

function fullId(id: string, serverName: string): string {
  const parsed = parseJobId(id);
  const bracket = parsed.index === undefined ? "" : `[${parsed.index}]`;
  return `${parsed.seq}${bracket}.${serverName}`;
}

/** Writes clauses as PBS stores them: `afterok:2.vm@vm:3.vm@vm`. */
export function formatDepend(clauses: readonly DependClause[], serverName: string): string {
  return clauses
    .filter((c) => c.ids.length > 0)
    .map((c) =>
      [c.type, ...c.ids.map((id) => c.type === "on" ? id : `${id}@${serverName}`)].join(":")
    )
    .join(",");
}

/** The clause a parent gets when `type` names it: afterok → beforeok, beforeok → afterok. */
export function mirrorType(type: string): string {
  return type.startsWith("after") ? `before${type.slice(5)}` : `after${type.slice(6)}`;
}
