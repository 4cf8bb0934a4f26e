/**
 * What every argv builder returns: the argv (argv[0] is the fixed PBS command
 * name) and, for commands that read it, the text for stdin.
 *
 * Builders are pure: they validate every user value (validate.ts) and never run
 * anything. The runner (runner.ts) executes the result.
 */

import { invalidInput } from "../errors.ts";
import { validateJobId } from "../validate.ts";

export interface PbsCommand {
  argv: string[];
  stdin?: string;
}

/** One id or several: the job operations accept both. */
export type JobIds = string | readonly string[];

/** Validates one or several job ids; at least one is required. */
export function jobIdList(ids: JobIds): string[] {
  // Callers get ids from JSON: anything that is not a list is treated as one id (and validated).
  const list: unknown[] = Array.isArray(ids) ? [...ids] : [ids];
  if (list.length === 0) {
    throw invalidInput("No job id was given.", "Give at least one job id, e.g. 123.pbs01.");
  }
  return list.map((id) => validateJobId(id));
}

/** `[flag, value]` when value is defined, else nothing: keeps builders flat. */
export function opt<T>(flag: string, value: T | undefined, check: (v: T) => string): string[] {
  return value === undefined ? [] : [flag, check(value)];
}
