/**
 * qsub: submit a job from a script file (its path is the last argument) or
 * from script text (sent on stdin, no script argument). Prints the new id.
 */

import { invalidInput } from "../errors.ts";
import {
  type Dependency,
  formatEnvList,
  validateAccount,
  validateArrayRange,
  validateDateTime,
  validateDependencies,
  validateDestination,
  validateJobName,
  validateJoin,
  validateKeepFiles,
  validateMailEvents,
  validateMailUsers,
  validateOutputPath,
  validatePriority,
  validateScriptPath,
} from "../validate.ts";
import type { PbsCommand } from "./command.ts";
import { resourcePairs, type ResourceRequest } from "./resources.ts";

/**
 * A submission. Exactly one of `script` (a path) and `scriptText` (the script
 * itself) is required. Resource fields follow `ResourceRequest`: `select`
 * replaces `nodes`/`ncpus`/`ngpus`/`mem`, and giving both is an error.
 */
export interface QsubOptions extends ResourceRequest {
  /** Path of the job script on this host; a name starting with `-` must be written `./-x`. */
  script?: string;
  /** The job script's text, sent on stdin. */
  scriptText?: string;
  /** `-N`: job name (ASCII letters, digits, `_+.-`, at most 230). */
  name?: string;
  /** `-q`: `queue`, `queue@server` or `@server`. */
  queue?: string;
  /** `-A`: account (project) to charge. */
  account?: string;
  /** `-J`: array range `start-end[:step][%max_running]`. */
  arrayRange?: string;
  /** `-W depend=`: `afterok:123.pbs01[:124...]`, several joined by `,`, or structured. */
  depend?: string | Dependency[];
  /** `-v`: environment variables for the job (see `encodeEnvValue` for what values may hold). */
  env?: Record<string, string>;
  /** `-o`: stdout path, absolute or `host:/path`. */
  output?: string;
  /** `-e`: stderr path, absolute or `host:/path`. */
  error?: string;
  /** `-j`: `oe` merges stderr into stdout, `eo` the reverse, `n` neither. */
  join?: string;
  /** `-k`: keep output on the execution host (`oe`, `od`, `n`, ...). */
  keep?: string;
  /** `-m`: mail events (`abe`, `n`; `j` for array subjobs). */
  mailEvents?: string;
  /** `-M`: mail recipients. */
  mailUsers?: string | readonly string[];
  /** `-h`: submit with a user hold. */
  hold?: boolean;
  /** `-p`: priority -1024..1023. */
  priority?: number;
  /** `-a`: do not start before this time (ISO 8601, PBS date, or Date). */
  startAfter?: string | Date;
  /** `-r y|n`: whether PBS may rerun the job (arrays must be rerunnable). */
  rerunnable?: boolean;
}

/**
 * One qsub option as sent: `option` (`-N`, `-l`, `-h`), its validated `value`
 * (absent for bare flags), and for `-l`/`-W` the `key` it sets (`walltime`,
 * `depend`) with `value` holding only what follows `key=`.
 */
export interface QsubArgument {
  option: string;
  key?: string;
  value?: string;
}

/** The options of `qsub`, validated, in the order PBS users usually write them. */
export function qsubArguments(options: QsubOptions): QsubArgument[] {
  checkCombinations(options);
  const one = <T>(option: string, value: T | undefined, check: (v: T) => string) =>
    value === undefined ? [] : [{ option, value: check(value) }];
  return [
    ...one("-N", options.name, (v) => validateJobName(v)),
    ...one("-q", options.queue, validateDestination),
    ...resourcePairs(options).map(([key, value]) => ({ option: "-l", key, value })),
    ...one("-A", options.account, validateAccount),
    ...one("-J", options.arrayRange, validateArrayRange),
    ...(options.depend === undefined
      ? []
      : [{ option: "-W", key: "depend", value: validateDependencies(options.depend) }]),
    ...one("-v", options.env, formatEnvList),
    ...one("-o", options.output, (v) => validateOutputPath(v, "Output path")),
    ...one("-e", options.error, (v) => validateOutputPath(v, "Error path")),
    ...one("-j", options.join, validateJoin),
    ...one("-k", options.keep, validateKeepFiles),
    ...one("-m", options.mailEvents, (v) => validateMailEvents(v, "job")),
    ...one("-M", options.mailUsers, validateMailUsers),
    ...(options.hold ? [{ option: "-h" }] : []),
    ...one("-p", options.priority, validatePriority),
    ...one("-a", options.startAfter, (v) => validateDateTime(v, "Start time")),
    ...one("-r", options.rerunnable, (v) => (v ? "y" : "n")),
  ];
}

/** The argv words of qsub arguments (`-l walltime=1:00:00` → `-l`, `walltime=1:00:00`). */
export function qsubArgv(args: readonly QsubArgument[]): string[] {
  return args.flatMap(({ option, key, value }) =>
    value === undefined ? [option] : [option, key === undefined ? value : `${key}=${value}`]
  );
}

/** Builds `qsub [options] [script]`, options in the order PBS users usually write them. */
export function qsub(options: QsubOptions): PbsCommand {
  const argv = ["qsub", ...qsubArgv(qsubArguments(options))];
  if (options.script !== undefined) {
    return { argv: [...argv, validateScriptPath(options.script)] };
  }
  return { argv, stdin: scriptText(options.scriptText) };
}

/** Rejects combinations qsub itself would refuse, with a clearer message. */
function checkCombinations(options: QsubOptions): void {
  if ((options.script === undefined) === (options.scriptText === undefined)) {
    throw invalidInput(
      "Give exactly one of script (a path) and scriptText (the script itself).",
      'Use e.g. {"script": "/home/alice/run.sh"} or {"scriptText": "#!/bin/bash\\nhostname\\n"}.',
    );
  }
  if (options.arrayRange !== undefined && options.rerunnable === false) {
    throw invalidInput(
      "Array jobs must be rerunnable; rerunnable=false cannot be combined with arrayRange.",
      "Drop rerunnable=false or submit a plain job.",
    );
  }
  if (
    options.arrayRange === undefined && typeof options.mailEvents === "string" &&
    options.mailEvents.includes("j")
  ) {
    throw invalidInput(
      "Mail event 'j' (per subjob) is only for array jobs.",
      "Drop 'j' from mailEvents, or add arrayRange.",
    );
  }
}

function scriptText(text: unknown): string {
  if (typeof text !== "string" || text.trim() === "") {
    throw invalidInput(
      "scriptText is empty; PBS would run an empty job.",
      'Give the script, e.g. "#!/bin/bash\\nhostname\\n".',
    );
  }
  if (text.includes("\0")) {
    throw invalidInput("scriptText contains a NUL character.", "Remove it; job scripts are text.");
  }
  return text;
}
