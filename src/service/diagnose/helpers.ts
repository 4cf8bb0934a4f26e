/**
 * Small helpers shared by the pending, running and finished verdicts.
 */
import type { Queue } from "../../pbs/model/types.ts";
import type { DiagnosisInput } from "./types.ts";

export function findQueue(input: DiagnosisInput): Queue | undefined {
  return input.queues?.find((q) => q.name === input.job.queue);
}

export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}

export function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
