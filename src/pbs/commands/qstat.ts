/**
 * qstat: full status as JSON for jobs, queues and the server.
 *
 * OpenPBS master (the goldens' build) returns only the FIRST object when
 * `qstat -f -F json` is given several job ids or destinations
 * (golden qstat_f_json_multi), so there is deliberately no builder taking
 * several ids in one call: use `qstatJob` once per id, or `qstatAllJobs` and
 * filter.
 */

import { validateJobId, validateQueueName, validateUserName } from "../validate.ts";
import type { PbsCommand } from "./command.ts";

export interface QstatJobOptions {
  /** `-x`: include finished (history) jobs. */
  history?: boolean;
  /** `-t`: expand array jobs into their subjobs. */
  subjobs?: boolean;
}

function jobFlags(options: QstatJobOptions): string[] {
  return [
    "-f",
    ...(options.history ? ["-x"] : []),
    ...(options.subjobs ? ["-t"] : []),
    "-F",
    "json",
  ];
}

/** `qstat -f [-x] [-t] -F json ID`: one job, array (`123[]`) or subjob (`123[4]`). */
export function qstatJob(id: string, options: QstatJobOptions = {}): PbsCommand {
  return { argv: ["qstat", ...jobFlags(options), validateJobId(id)] };
}

export interface QstatAllJobsOptions extends QstatJobOptions {
  /** Only jobs in this queue (qstat's destination operand). */
  queue?: string;
}

/** `qstat -f [-x] [-t] -F json [queue]`: every job visible to the caller. */
export function qstatAllJobs(options: QstatAllJobsOptions = {}): PbsCommand {
  const queue = options.queue === undefined ? [] : [validateQueueName(options.queue)];
  return { argv: ["qstat", ...jobFlags(options), ...queue] };
}

export interface QstatJobTableOptions {
  /** `-x`: include finished (history) jobs. */
  history?: boolean;
  /** `-u USER`: only this user's jobs. */
  user?: string;
  /** Only jobs in this queue (the destination operand). */
  queue?: string;
}

/**
 * `qstat -a -w [-x] [-u USER] [QUEUE]`: one fixed-width row per job with just
 * the list-view fields (parse with `parseJobTable`). Far lighter than
 * `qstatAllJobs` on big systems, whose exec_vnode and comment values dominate
 * the JSON. qstat.c accepts this combination: `-u` only adds a selection,
 * `-x` only the history extension, and `-w` widens the `-a` columns.
 */
export function qstatJobTable(options: QstatJobTableOptions = {}): PbsCommand {
  return {
    argv: [
      "qstat",
      "-a",
      "-w",
      ...(options.history ? ["-x"] : []),
      ...(options.user === undefined ? [] : ["-u", validateUserName(options.user)]),
      ...(options.queue === undefined ? [] : [validateQueueName(options.queue)]),
    ],
  };
}

/** `qstat -Qf -F json [queue]`: all queues, or one. */
export function qstatQueues(queue?: string): PbsCommand {
  const operand = queue === undefined ? [] : [validateQueueName(queue)];
  return { argv: ["qstat", "-Qf", "-F", "json", ...operand] };
}

/** `qstat -Bf -F json`: the server's attributes. */
export function qstatServer(): PbsCommand {
  return { argv: ["qstat", "-Bf", "-F", "json"] };
}
