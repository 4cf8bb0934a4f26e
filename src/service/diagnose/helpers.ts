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

/** qalter's flag for each job attribute a step may suggest changing. */
const QALTER_FLAGS = {
  walltime: "-l walltime=",
  select: "-l select=",
  depend: "-W depend=",
  start_after: "-a ",
} as const;

/**
 * How a next step tells the user to change the job: the tool call when this
 * server offers write tools, else the PBS command they can run themselves (a
 * read-only server offers neither release_job nor modify_job).
 */
export function changeVia(input: DiagnosisInput) {
  const id = input.job.id;
  const tools = input.readOnly !== true;
  return {
    release: (letter: string) =>
      tools ? `release_job job_id=${id} hold_type=${letter}` : `qrls -h ${letter} ${id}`,
    delete: () => tools ? `delete_job job_id=${id}` : `qdel ${id}`,
    alter: (attribute: keyof typeof QALTER_FLAGS, value: string) =>
      tools
        ? `modify_job job_id=${id} ${attribute}=${value}`
        : `qalter ${QALTER_FLAGS[attribute]}${value} ${id}`,
    move: (queue: string) =>
      tools ? `modify_job job_id=${id} queue=${queue}` : `qmove ${queue} ${id}`,
    resubmit: (attribute: "walltime", value: string) =>
      tools ? `submit_job ${attribute}=${value}` : `qsub -l ${attribute}=${value}`,
  };
}
