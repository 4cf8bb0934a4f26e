/** qselect: ids of the jobs matching criteria, one per line (empty output = none). */

import { invalidInput } from "../errors.ts";
import {
  validateAccount,
  validateDateTime,
  validateDestination,
  validateHoldTypes,
  validateJobName,
  validateResourceName,
  validateResourceValue,
  validateUserList,
} from "../validate.ts";
import { opt, type PbsCommand } from "./command.ts";

/** qselect's comparison operators (`-l walltime.gt.01:00:00`). */
export type Comparison = "eq" | "ne" | "ge" | "gt" | "le" | "lt";
const COMPARISONS: readonly string[] = ["eq", "ne", "ge", "gt", "le", "lt"];

export interface ResourceCondition {
  name: string;
  op: Comparison;
  value: string | number;
}

export interface QselectOptions {
  /** `-u`: owners, `user[@host]`, several allowed. */
  users?: string | readonly string[];
  /** `-q`: queue (or `queue@server`). */
  queue?: string;
  /** `-N`: exact job name. */
  name?: string;
  /** `-A`: account. */
  account?: string;
  /** `-s`: job state letters, any of B E F H M Q R S T U W X (e.g. `QH`). */
  states?: string;
  /** `-h`: hold types (u, o, s). */
  holdTypes?: string;
  /** `-l`: resource conditions, all of which must hold. */
  resources?: readonly ResourceCondition[];
  /** `-J`: array jobs only. */
  arraysOnly?: boolean;
  /** `-T`: list subjobs instead of array parents. */
  subjobs?: boolean;
  /** `-x`: include finished (history) jobs. */
  history?: boolean;
  /**
   * `-t`: a time condition, e.g. `{field: "m", op: "ge", at: new Date(...)}` for
   * jobs modified since then. Fields: c (created), e (eligible since), m
   * (modified; a finished job's end), q (queued), s (started).
   */
  time?: TimeCondition;
}

export interface TimeCondition {
  field: "c" | "e" | "m" | "q" | "s";
  op: Comparison;
  /** Compared as PBS does, in the local time of this host. */
  at: Date;
}

function timeCondition(condition: TimeCondition): string {
  if (!["c", "e", "m", "q", "s"].includes(condition.field)) {
    throw invalidInput(
      `qselect time field ${JSON.stringify(condition.field)} is not one of c, e, m, q, s.`,
      'Use e.g. {"field": "m", "op": "ge", "at": "2026-11-20T00:00"}.',
    );
  }
  return `${condition.field}.${checkComparison(condition.op)}.${
    validateDateTime(condition.at, "qselect time")
  }`;
}

/** `qselect [-u] [-q] [-N] [-A] [-s] [-h] [-l ...] [-J] [-T] [-x]`. */
export function qselect(options: QselectOptions = {}): PbsCommand {
  return {
    argv: [
      "qselect",
      ...opt("-u", options.users, validateUserList),
      ...opt("-q", options.queue, validateDestination),
      ...opt("-N", options.name, (v) => validateJobName(v)),
      ...opt("-A", options.account, validateAccount),
      ...opt("-s", options.states, validateStates),
      ...opt("-h", options.holdTypes, validateHoldTypes),
      ...opt("-l", options.resources, conditions),
      ...opt("-t", options.time, timeCondition),
      ...(options.arraysOnly ? ["-J"] : []),
      ...(options.subjobs ? ["-T"] : []),
      ...(options.history ? ["-x"] : []),
    ],
  };
}

function validateStates(value: unknown): string {
  if (typeof value !== "string" || !/^[BEFHMQRSTUWX]+$/.test(value)) {
    throw invalidInput(
      `Job states ${JSON.stringify(value)} must be state letters (B E F H M Q R S T U W X).`,
      "Use e.g. QH for queued or held, R for running, F (with history) for finished.",
    );
  }
  return [...new Set(value)].join("");
}

function conditions(list: readonly ResourceCondition[]): string {
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidInput(
      "The resource condition list is empty.",
      'Give e.g. [{"name": "walltime", "op": "gt", "value": "01:00:00"}].',
    );
  }
  return list.map(({ name, op, value }) => {
    const checked = validateResourceName(name);
    return `${checked}.${checkComparison(op)}.${validateResourceValue(checked, value)}`;
  }).join(",");
}

function checkComparison(op: unknown): Comparison {
  if (typeof op !== "string" || !COMPARISONS.includes(op)) {
    throw invalidInput(
      `Comparison ${JSON.stringify(op)} is not one of ${COMPARISONS.join(", ")}.`,
      'Use e.g. {"name": "ncpus", "op": "ge", "value": 4}.',
    );
  }
  return op as Comparison;
}
