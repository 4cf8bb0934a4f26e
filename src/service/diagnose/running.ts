/**
 * The verdict for a running (or suspended) job: fine from PBS's side, unless
 * it is close to its walltime or memory limit.
 */
import { describeJobState } from "../../pbs/model/states.ts";
import { isoTime } from "./helpers.ts";
import { addResourceWarnings, NEAR_LIMIT_PERCENT, usage } from "./resource_usage.ts";
import type { Diagnosis, DiagnosisInput } from "./types.ts";

export function diagnoseRunning(input: DiagnosisInput, d: Diagnosis): Diagnosis {
  const { job } = input;
  const wall = usage(d.resources, "walltime");
  const started = job.times.started ? ` since ${isoTime(job.times.started)}` : "";
  d.category = "running";
  d.summary = `The job is ${
    describeJobState(job.state).name
  }${started}; nothing is wrong with it from PBS's side.`;
  d.nextSteps = [
    `Follow it with wait_for_job job_id=${job.id}; get_job_output shows its progress.`,
  ];
  if (job.state === "S") {
    d.summary =
      "The job is suspended (by an operator or preemption); it resumes when they resume it.";
  }
  if (wall?.percent !== undefined && wall.percent >= NEAR_LIMIT_PERCENT) {
    d.category = "near_walltime";
    d.summary =
      `The job is running and has used ${wall.percent}% of its walltime; PBS kills it at the limit.`;
    d.findings.push({
      topic: "walltime",
      severity: "warning",
      message:
        `It has used ${wall.used} of its ${wall.requested} walltime (${wall.percent}%); PBS kills it at the limit.`,
    });
    d.nextSteps.push(
      "Only an operator can raise a running job's walltime; save a checkpoint if the program can, and ask for more next time.",
    );
  }
  addResourceWarnings(d);
  return d;
}
