/** Array jobs as the answers name them: which subjob id to suggest for a parent. */
import type { Job } from "../pbs/model/types.ts";

/**
 * A subjob of an array parent to name in a hint: `12[].server` with indices
 * `5-10` → `12[5].server` (the first index submitted; qsub -J start-end:step).
 */
export function firstSubjobId(parent: Job): string {
  const first = /^\s*(\d+)/.exec(parent.array?.indicesSubmitted ?? "")?.[1] ?? "1";
  return parent.id.includes("[]")
    ? parent.id.replace("[]", `[${first}]`)
    : `${parent.id}[${first}]`;
}
