/** tracejob: a job's history from the PBS logs (text only; reads local log files). */

import { validateJobId, validatePositiveInt } from "../validate.ts";
import type { PbsCommand } from "./command.ts";

export interface TracejobOptions {
  /** `-n`: how many days of logs to search (tracejob's default is 1). */
  days?: number;
}

/** `tracejob [-n DAYS] ID`. */
export function tracejob(id: string, options: TracejobOptions = {}): PbsCommand {
  const days = options.days === undefined
    ? []
    : ["-n", validatePositiveInt(options.days, "Days", "3")];
  return { argv: ["tracejob", ...days, validateJobId(id)] };
}
