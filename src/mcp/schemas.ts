/**
 * Zod pieces shared by the job tools' input schemas.
 *
 * Each piece checks a value with the PBS layer's own validator, so a tool
 * rejects exactly what the argv builders would reject, with the same message
 * and fix. The SDK reports a failed input schema as an error result whose
 * text lists every issue; each issue therefore says what is wrong *and* how
 * to fix it, in one sentence pair.
 */
import { z } from "zod";
import { isPbsError } from "../pbs/errors.ts";
import * as v from "../pbs/validate.ts";

/**
 * Longest text a checked parameter takes. Far above any valid PBS value; its
 * point is that a validator (whose message may quote the value) never sees
 * megabytes, and that a schema-valid call stays small (see request_guard.ts).
 */
export const MAX_PARAMETER_CHARS = 4_096;

/** Longest inline job script, in characters. */
export const MAX_SCRIPT_CHARS = 1_000_000;

/** Most entries in a `{name: value}` parameter (env, extra_resources). */
export const MAX_RECORD_ENTRIES = 100;

/** A string of at most `max` characters; longer text stops there, unparsed and unquoted. */
export function boundedText(max = MAX_PARAMETER_CHARS) {
  return z.string().max(max, {
    message: `text is over ${max} characters, longer than any valid value; give the value itself.`,
    abort: true,
  });
}

/** A string checked by a PBS validator; the validator's message and hint become the issue. */
export function checkedText(validate: (value: unknown) => unknown, description: string) {
  return boundedText().superRefine((value, ctx) => {
    const problem = validatorProblem(validate, value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }).describe(description);
}

/** The validator's complaint as one sentence pair, or undefined when the value is fine. */
function validatorProblem(validate: (value: unknown) => unknown, value: unknown) {
  try {
    validate(value);
    return undefined;
  } catch (error) {
    if (isPbsError(error)) return `${error.message} ${error.hint}`;
    throw error;
  }
}

export const jobId = checkedText(
  (value) => v.validateJobId(value),
  "PBS job id as submit_job or list_jobs returned it: 123.server (123 alone works too), " +
    "123[].server for an array job, 123[4].server for one subjob.",
);

export const walltime = checkedText(
  (value) => v.validateWalltime(value),
  "Maximum run time, HH:MM:SS (e.g. 01:30:00). MM:SS and whole seconds are accepted too.",
);

export const queue = checkedText(
  v.validateDestination,
  "Queue to use (e.g. workq, debug); list_queues shows the site's queues.",
);

export const jobName = checkedText(
  (value) => v.validateJobName(value),
  "Job name (up to 230 characters: letters, digits, '_', '+', '-', '.'), e.g. analysis_1.",
);

export const account = checkedText(
  v.validateAccount,
  "Account/project to charge (qsub -A), e.g. MyProject.",
);

export const select = checkedText(
  v.validateSelect,
  "Raw PBS select: chunks [N:]res=val[:res=val] joined with '+', e.g. 2:ncpus=64:ngpus=4.",
);

export const place = checkedText(
  v.validatePlace,
  "PBS place spec: free|pack|scatter|vscatter with optional :excl|:shared|:group=RES, " +
    "e.g. scatter:excl.",
);

export const memSize = checkedText(
  (value) => v.validateMemSize(value),
  "Memory per node as a PBS size, e.g. 512mb, 64gb.",
);

export const filesystems = checkedText(
  v.validateFilesystems,
  "Filesystems the job needs (-l filesystems=), names joined with ':', e.g. home:eagle.",
);

export const arrayRange = checkedText(
  v.validateArrayRange,
  "Array job index range start-end[:step][%max_running], e.g. 1-10, 1-10:2%3.",
);

export const depend = checkedText(
  v.validateDependencies,
  "Dependencies type:ID[:ID], several joined with ',', e.g. afterok:123.server or " +
    "afterok:12:13,afterany:14. Types: after, afterok, afternotok, afterany, before*, runone, on.",
);

export const outputPath = checkedText(
  (value) => v.validateOutputPath(value),
  "Absolute path (optionally host:/path) for the file, e.g. /home/alice/run.out.",
);

export const scriptPath = checkedText(
  v.validateScriptPath,
  "Absolute path of an existing job script inside the allowed directories, e.g. " +
    "/home/alice/jobs/run.sh.",
);

export const startAfter = checkedText(
  (value) => v.validateDateTime(value),
  "Do not start before this time: ISO 8601, e.g. 2026-11-24T15:30 (local) or " +
    "2026-11-24T15:30:00Z.",
);

export const keepFiles = checkedText(
  v.validateKeepFiles,
  "Which output files to keep on the execution host (-k): o, e, d combinations or n, e.g. oe.",
);

export const mailEvents = checkedText(
  (value) => v.validateMailEvents(value),
  "When to mail (-m): a (aborted), b (began), e (ended), combined e.g. abe, or n for never.",
);

export const mailUsers = checkedText(
  v.validateMailUsers,
  "Who gets the mail (-M), comma-separated, e.g. alice@example.org,bob.",
);

export const userName = checkedText(
  v.validateUserName,
  "A user name, e.g. alice.",
);

/** `me` (the caller) or a user name. */
export const userFilter = boundedText().superRefine((value, ctx) => {
  if (value === "me") return;
  const problem = validatorProblem(v.validateUserName, value);
  if (problem) ctx.addIssue({ code: "custom", message: `${problem} Or pass "me" for yourself.` });
}).describe('Only jobs of this user; "me" means you (the user this server runs as).');

export const priority = z.int({
  error: "priority must be a whole number from -1024 (lowest) to 1023 (highest), e.g. 100.",
}).min(-1024, "priority must be at least -1024 (lowest); e.g. -100.")
  .max(1023, "priority must be at most 1023 (highest); e.g. 100.")
  .describe("Job priority among your own jobs, -1024 (lowest) to 1023 (highest).");

export const holdType = z.enum(["u", "o", "s"], {
  error: 'hold_type must be "u" (user, default), "o" (operator) or "s" (system).',
}).describe("u = user hold (yours to set), o = operator hold, s = system hold (managers).");

/** A positive whole number with a bound; the message names both ends. */
export function boundedInt(what: string, min: number, max: number, example: number) {
  const message = `${what} must be a whole number from ${min} to ${max}, e.g. ${example}.`;
  return z.int({ error: message }).min(min, message).max(max, message);
}

function fewEntries(record: Record<string, unknown>): boolean {
  return Object.keys(record).length <= MAX_RECORD_ENTRIES;
}

/** `{NAME: value}` for qsub -v: names are shell variable names. */
export const envVars = z.record(
  boundedText(255).superRefine((name, ctx) => {
    const problem = validatorProblem(v.validateEnvName, name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  z.string({ error: 'env values must be strings, e.g. {"OMP_NUM_THREADS": "8"}.' })
    .max(32_768, "an env value is over 32768 characters; pass large data in a file."),
).refine(fewEntries, `env has more than ${MAX_RECORD_ENTRIES} variables.`).describe(
  'Environment variables for the job (qsub -v), e.g. {"OMP_NUM_THREADS": "8"}.',
);

/** `{resource: value}` for extra `-l` resources. */
export const extraResources = z.record(
  boundedText(255).superRefine((name, ctx) => {
    const problem = validatorProblem(v.validateResourceName, name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  z.union([boundedText(), z.number()], {
    error: 'extra_resources values must be strings or numbers, e.g. {"ompthreads": "8"}.',
  }),
).refine(fewEntries, `extra_resources has more than ${MAX_RECORD_ENTRIES} resources.`).describe(
  'More -l resources as {name: value}, e.g. {"ompthreads": "8"}; use the named parameters for ' +
    "walltime, select, place, mem and filesystems.",
);

/**
 * The arguments of `submit_job`, shared by `submit_batch_jobs` and
 * `submit_dependent_jobs` items. "Exactly one of script/script_path" spans two
 * fields, so it is checked when the arguments are mapped to a request.
 */
export const submitJobInput = {
  script_path: scriptPath.optional(),
  script: z.string().min(
    1,
    "script is empty; give the job script's text, e.g. '#!/bin/bash\\n" +
      "echo hello'.",
  ).max(
    MAX_SCRIPT_CHARS,
    `script is over ${MAX_SCRIPT_CHARS} characters; save it to a file and pass script_path.`,
  )
    .optional().describe(
      "Inline job script text (sent to qsub on stdin). '#PBS' lines in it work as usual; " +
        "explicit parameters override them. Give this or script_path, not both.",
    ),
  queue: queue.optional(),
  job_name: jobName.optional(),
  walltime: walltime.optional(),
  node_count: boundedInt("node_count", 1, 1_000_000, 2).optional().describe(
    "Number of nodes (chunks) to request.",
  ),
  ncpus: boundedInt("ncpus", 1, 1_000_000, 64).optional().describe("CPUs per node."),
  ngpus: boundedInt("ngpus", 0, 1_000, 4).optional().describe("GPUs per node."),
  mem: memSize.optional(),
  select: select.optional(),
  place: place.optional(),
  account: account.optional().describe(
    "Account/project to charge (qsub -A); defaults to the server's PBS_ACCOUNT when set.",
  ),
  filesystems: filesystems.optional(),
  array_range: arrayRange.optional(),
  depend: depend.optional(),
  env: envVars.optional(),
  output_path: outputPath.optional(),
  error_path: outputPath.optional().describe(
    "Absolute path (optionally host:/path) for stderr, e.g. /home/alice/run.err.",
  ),
  join_output: z.boolean().optional().describe("true merges stderr into stdout (-j oe)."),
  keep_files: keepFiles.optional(),
  mail_events: mailEvents.optional(),
  mail_users: mailUsers.optional(),
  hold: z.boolean().optional().describe("true submits with a user hold; release with release_job."),
  priority: priority.optional(),
  start_after: startAfter.optional(),
  rerunnable: z.boolean().optional().describe("Whether PBS may rerun the job after a failure."),
  extra_resources: extraResources.optional(),
  dry_run: z.boolean().optional().describe(
    "true returns the exact qsub command and script without submitting anything.",
  ),
};
