/**
 * Resources used against requested: walltime, memory and CPU use as PBS
 * reported them, and the warnings when a job comes near its limits.
 *
 * Shared by the running and finished verdicts, which both judge a job by how
 * close it came to what it asked for.
 */
import { parseDuration, parseSize } from "../../pbs/model/time.ts";
import type { Job, PbsValue } from "../../pbs/model/types.ts";
import type { Diagnosis, ResourceUsage } from "./types.ts";

function asText(value: PbsValue | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function percent(used: number, requested: number): number | undefined {
  return requested > 0 ? Math.round((used / requested) * 100) : undefined;
}

/** Walltime, memory and CPU use against the request (only what PBS reported). */
export function compareResources(job: Job): ResourceUsage[] {
  const rows: ResourceUsage[] = [];
  for (
    const [name, parse] of [
      ["walltime", parseDuration],
      ["mem", parseSize],
      ["vmem", parseSize],
    ] as const
  ) {
    const requested = asText(job.requested[name]);
    const used = asText(job.used[name]);
    if (requested === undefined || used === undefined) continue;
    const [r, u] = [parse(requested), parse(used)];
    const row: ResourceUsage = { resource: name, requested, used };
    const p = r !== undefined && u !== undefined ? percent(u, r) : undefined;
    if (p !== undefined) row.percent = p;
    rows.push(row);
  }
  const cpuRow = cpuUsage(job);
  if (cpuRow) rows.push(cpuRow);
  return rows;
}

/** `cpupercent` is 100 per busy CPU, so cpupercent/100 against ncpus is CPU efficiency. */
function cpuUsage(job: Job): ResourceUsage | undefined {
  const ncpus = Number(job.requested.ncpus);
  const cpupercent = Number(job.used.cpupercent);
  if (!(ncpus > 0) || !Number.isFinite(cpupercent) || job.used.cpupercent === undefined) {
    return undefined;
  }
  const busy = Math.round(cpupercent) / 100;
  return {
    resource: "ncpus",
    requested: String(ncpus),
    used: `${busy} busy on average`,
    percent: percent(busy, ncpus),
  };
}

export function usage(rows: readonly ResourceUsage[], resource: string): ResourceUsage | undefined {
  return rows.find((r) => r.resource === resource);
}

export const NEAR_LIMIT_PERCENT = 90;

/** Warnings that apply to running and finished jobs alike. */
export function addResourceWarnings(d: Diagnosis): void {
  const mem = usage(d.resources, "mem");
  if (
    mem?.percent !== undefined && mem.percent >= NEAR_LIMIT_PERCENT &&
    d.category !== "out_of_memory"
  ) {
    d.findings.push({
      topic: "memory",
      severity: "warning",
      message: `Memory use ${mem.used} is ${mem.percent}% of the ${mem.requested} requested.`,
    });
  }
  const wall = usage(d.resources, "walltime");
  if (
    d.phase === "finished" && wall?.percent !== undefined && wall.percent >= NEAR_LIMIT_PERCENT &&
    d.category !== "walltime_exceeded"
  ) {
    d.findings.push({
      topic: "walltime",
      severity: "warning",
      message:
        `It used ${wall.percent}% of its walltime (${wall.used} of ${wall.requested}); leave more margin next time.`,
    });
  }
}
