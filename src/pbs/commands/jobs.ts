/**
 * Commands that act on existing jobs: qdel, qhold, qrls, qalter, qmove (the
 * ones the tools run). All print nothing on success (goldens).
 *
 * Job ids may be whole jobs (`123.pbs01`), arrays (`123[]`), subjobs
 * (`123[4]`) and, where PBS accepts them, subjob ranges (`123[1-5]`).
 */

import { invalidInput } from "../errors.ts";
import {
  type Dependency,
  validateAccount,
  validateDateTime,
  validateDependencies,
  validateDestination,
  validateHoldTypes,
  validateJobName,
  validatePriority,
} from "../validate.ts";
import { jobIdList, type JobIds, opt, type PbsCommand } from "./command.ts";
import { resourceArgs, type ResourceRequest } from "./resources.ts";

export interface QdelOptions {
  /** `-W force`: delete even if the MoM does not answer (jobs stuck in E). */
  force?: boolean;
  /** `-x`: also purge the job's history (deletes a running job too). */
  purgeHistory?: boolean;
}

/** `qdel [-x] [-W force] ID...`: one call may take many ids (2000 in one call is fine). */
export function qdel(ids: JobIds, options: QdelOptions = {}): PbsCommand {
  return {
    argv: [
      "qdel",
      ...(options.purgeHistory ? ["-x"] : []),
      ...(options.force ? ["-W", "force"] : []),
      ...jobIdList(ids),
    ],
  };
}

export interface HoldOptions {
  /** `-h`: any of u (user, the default), o (operator), s (system). */
  types?: string;
}

/** `qhold [-h TYPES] ID...`. */
export function qhold(ids: JobIds, options: HoldOptions = {}): PbsCommand {
  return { argv: ["qhold", ...opt("-h", options.types, validateHoldTypes), ...jobIdList(ids)] };
}

/** `qrls [-h TYPES] ID...`. */
export function qrls(ids: JobIds, options: HoldOptions = {}): PbsCommand {
  return { argv: ["qrls", ...opt("-h", options.types, validateHoldTypes), ...jobIdList(ids)] };
}

/**
 * What qalter may change. Resource fields follow `ResourceRequest`: `select`
 * replaces nodes/ncpus/ngpus/mem. At least one field must be set.
 */
export interface QalterOptions extends ResourceRequest {
  /** `-N`: new job name. */
  name?: string;
  /** `-A`: new account string. */
  account?: string;
  /** `-p`: new priority, -1024..1023. */
  priority?: number;
  /** `-a`: do not start before this time (ISO 8601, PBS date, or Date). */
  startAfter?: string | Date;
  /** `-W depend=`: replaces the dependency list. */
  depend?: string | Dependency[];
}

/** `qalter [-N] [-A] [-l ...] [-p] [-a] [-W depend=] ID...`. */
export function qalter(ids: JobIds, options: QalterOptions): PbsCommand {
  const changes = [
    ...opt("-N", options.name, (v) => validateJobName(v)),
    ...opt("-A", options.account, validateAccount),
    ...resourceArgs(options),
    ...opt("-p", options.priority, validatePriority),
    ...opt("-a", options.startAfter, (v) => validateDateTime(v, "Start time")),
    ...opt("-W", options.depend, (v) => `depend=${validateDependencies(v)}`),
  ];
  if (changes.length === 0) {
    throw invalidInput(
      "qalter was given nothing to change.",
      "Set e.g. walltime, name or priority.",
    );
  }
  return { argv: ["qalter", ...changes, ...jobIdList(ids)] };
}

/** `qmove DESTINATION ID...`: destination is `queue`, `queue@server` or `@server`. */
export function qmove(destination: string, ids: JobIds): PbsCommand {
  return { argv: ["qmove", validateDestination(destination), ...jobIdList(ids)] };
}
