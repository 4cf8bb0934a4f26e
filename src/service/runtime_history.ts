/**
 * How long jobs run against their walltime, from the history table: each
 * finished job's `Elap Time` over its `Req'd Time` (`qstat -a -w -x`, HH:MM).
 * The start forecast (forecast.ts) ends modelled jobs where history says
 * jobs of their queue end instead of at their walltime.
 */
import type { JobRow } from "../pbs/parse/job_table.ts";

/** Fractions of walltime that finished jobs used (sorted), per queue and overall. */
export interface RuntimeHistory {
  byQueue: Map<string, number[]>;
  all: number[];
}

/**
 * A sorted sample with its suffix sums: the mean of the values above any
 * point in one binary search (a forecast asks once per live job: thousands
 * at Aurora scale, over thousands of finished jobs).
 */
const suffixSums = new WeakMap<number[], Float64Array>();

function sumsOf(sorted: number[]): Float64Array {
  let sums = suffixSums.get(sorted);
  if (!sums) {
    sums = new Float64Array(sorted.length + 1);
    for (let i = sorted.length - 1; i >= 0; i--) sums[i] = sums[i + 1] + sorted[i];
    suffixSums.set(sorted, sums);
  }
  return sums;
}

/** Fewer finished jobs than this in a queue: the overall fractions stand in; overall: none. */
export const MIN_HISTORY = 20;

/** Each finished job's share of its walltime used (jobs that never ran are left out). */
export function runtimeHistory(rows: readonly JobRow[]): RuntimeHistory {
  const byQueue = new Map<string, number[]>();
  const all: number[] = [];
  for (const row of rows) {
    if (row.state !== "F" || !row.walltime || !row.elapsed) continue;
    const asked = hoursMinutes(row.walltime);
    const used = hoursMinutes(row.elapsed);
    if (asked === undefined || used === undefined || asked <= 0) continue;
    const fraction = Math.min(1, used / asked);
    all.push(fraction);
    const list = byQueue.get(row.queue) ?? [];
    list.push(fraction);
    byQueue.set(row.queue, list);
  }
  const sort = (v: number[]) => v.sort((a, b) => a - b);
  for (const list of byQueue.values()) sort(list);
  return { byQueue, all: all.length >= MIN_HISTORY ? sort(all) : [] };
}

/** `HH:MM` (qstat -a's time columns) → minutes; undefined when cut (`100:0`) or absent. */
function hoursMinutes(text: string): number | undefined {
  const m = /^(\d+):(\d\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/**
 * The fraction of its walltime a job is expected to use, given it has used
 * `done` already: the mean of the history fractions above `done` (1 when
 * none is: it runs to its walltime).
 */
export function expectedFraction(history: RuntimeHistory, queue: string, done = 0): number {
  const own = history.byQueue.get(queue) ?? [];
  const sample = own.length >= MIN_HISTORY ? own : history.all;
  // The first index whose value is above `done`.
  let lo = 0, hi = sample.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sample[mid] > done) hi = mid;
    else lo = mid + 1;
  }
  const above = sample.length - lo;
  return above === 0 ? 1 : sumsOf(sample)[lo] / above;
}
