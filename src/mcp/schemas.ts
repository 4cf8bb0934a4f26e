/**
 * Zod pieces shared by the job tools' input schemas.
 *
 * Descriptions are short and only where a name does not say it all: the
 * listing is paid for by every conversation (BENCHMARKS.md, "Tool surface").
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

/**
 * A string checked by a PBS validator; the validator's message and hint become
 * the issue. The description is for the listing: give one only where the
 * parameter's name does not say it (every conversation pays for it).
 */
export function checkedText(validate: (value: unknown) => unknown, description?: string) {
  const text = boundedText().superRefine((value, ctx) => {
    const problem = validatorProblem(validate, value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
  return description === undefined ? text : text.describe(description);
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
  "e.g. 123.server, or 123[4].server for a subjob",
);

export const walltime = checkedText((value) => v.validateWalltime(value));

export const queue = checkedText(v.validateDestination);

export const jobName = checkedText((value) => v.validateJobName(value));

export const account = checkedText(v.validateAccount);

export const select = checkedText(v.validateSelect);

export const place = checkedText(v.validatePlace);

export const memSize = checkedText((value) => v.validateMemSize(value));

export const filesystems = checkedText(v.validateFilesystems);

export const arrayRange = checkedText(v.validateArrayRange);

export const depend = checkedText(v.validateDependencies);

export const outputPath = checkedText((value) => v.validateOutputPath(value));

export const scriptPath = checkedText(v.validateScriptPath);

export const startAfter = checkedText((value) => v.validateDateTime(value));

export const keepFiles = checkedText(v.validateKeepFiles);

export const mailEvents = checkedText((value) => v.validateMailEvents(value));

export const mailUsers = checkedText(v.validateMailUsers);

export const userName = checkedText(v.validateUserName);

/** `me` (the caller) or a user name. */
export const userFilter = boundedText().superRefine((value, ctx) => {
  if (value === "me") return;
  const problem = validatorProblem(v.validateUserName, value);
  if (problem) ctx.addIssue({ code: "custom", message: `${problem} Or pass "me" for yourself.` });
});

export const priority = z.int({
  error: "priority must be a whole number from -1024 (lowest) to 1023 (highest), e.g. 100.",
}).min(-1024, "priority must be at least -1024 (lowest); e.g. -100.")
  .max(1023, "priority must be at most 1023 (highest); e.g. 100.");

export const holdType = z.enum(["u", "o", "s"], {
  error: 'hold_type must be "u" (user, default), "o" (operator) or "s" (system).',
}).describe("u user (default), o operator, s system");

/** A whole number with bounds; the message names both ends. */
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
).refine(fewEntries, `env has more than ${MAX_RECORD_ENTRIES} variables.`);

/** `{resource: value}` for extra `-l` resources. */
export const extraResources = z.record(
  boundedText(255).superRefine((name, ctx) => {
    const problem = validatorProblem(v.validateResourceName, name);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  z.union([boundedText(), z.number()], {
    error: 'extra_resources values must be strings or numbers, e.g. {"ompthreads": "8"}.',
  }),
).refine(fewEntries, `extra_resources has more than ${MAX_RECORD_ENTRIES} resources.`);

/**
 * The arguments of `submit_job`, undescribed: the items of
 * `submit_batch_jobs` and `submit_dependent_jobs` take exactly these and refer
 * to submit_job for their meaning. "Exactly one of script/script_path" spans
 * two fields, so it is checked when the arguments are mapped to a request.
 */
export const submitJobFields = {
  script_path: scriptPath.optional(),
  script: z.string().min(
    1,
    "script is empty; give the job script's text, e.g. '#!/bin/bash\\n" +
      "echo hello'.",
  ).max(
    MAX_SCRIPT_CHARS,
    `script is over ${MAX_SCRIPT_CHARS} characters; save it to a file and pass script_path.`,
  ).optional(),
  queue: queue.optional(),
  job_name: jobName.optional(),
  walltime: walltime.optional(),
  node_count: boundedInt("node_count", 1, 1_000_000, 2).optional(),
  ncpus: boundedInt("ncpus", 1, 1_000_000, 64).optional(),
  // 0 GPUs is a valid PBS request (ngpus is a consumable count).
  ngpus: boundedInt("ngpus", 0, 1_000, 4).optional(),
  mem: memSize.optional(),
  select: select.optional(),
  place: place.optional(),
  account: account.optional(),
  filesystems: filesystems.optional(),
  array_range: arrayRange.optional(),
  depend: depend.optional(),
  env: envVars.optional(),
  output_path: outputPath.optional(),
  error_path: outputPath.optional(),
  join_output: z.boolean().optional(),
  keep_files: keepFiles.optional(),
  mail_events: mailEvents.optional(),
  mail_users: mailUsers.optional(),
  hold: z.boolean().optional(),
  priority: priority.optional(),
  start_after: startAfter.optional(),
  rerunnable: z.boolean().optional(),
  extra_resources: extraResources.optional(),
  dry_run: z.boolean().optional(),
};

/** What submit_job's listing says of the parameters whose name does not say it all. */
const SUBMIT_JOB_DESCRIPTIONS: Partial<Record<keyof typeof submitJobFields, string>> = {
  script_path: "Existing script file (absolute path, in the allowed directories)",
  script: "Script text; its #PBS lines apply unless a parameter overrides them",
  walltime: "HH:MM:SS",
  node_count: "Nodes (select chunks)",
  ncpus: "CPUs per node",
  ngpus: "GPUs per node",
  mem: "Memory per node, e.g. 64gb",
  select: "Raw select, e.g. 2:ncpus=64:ngpus=4; replaces node_count, ncpus, ngpus, mem",
  place: "free|pack|scatter|vscatter[:excl|:shared]",
  account: "Project to charge (-A); default PBS_ACCOUNT",
  filesystems: "e.g. home:eagle",
  array_range: "start-end[:step][%max_running], e.g. 1-10",
  depend: "type:ID[:ID][,...], e.g. afterok:123.server",
  env: 'qsub -v, e.g. {"OMP_NUM_THREADS": "8"}',
  output_path: "stdout file: absolute path or host:/path",
  error_path: "stderr file: absolute path or host:/path",
  join_output: "Merge stderr into stdout",
  keep_files: "qsub -k: o, e, d or n",
  mail_events: "qsub -m: a, b, e or n",
  mail_users: "qsub -M, comma-separated",
  hold: "Submit with a user hold (release_job)",
  priority: "Among your own jobs",
  start_after: "ISO 8601, e.g. 2026-11-24T15:30",
  rerunnable: "PBS may rerun it after a failure",
  extra_resources: 'Other -l resources, e.g. {"ompthreads": "8"}',
  dry_run: "Show the qsub command and script; submit nothing",
};

/** A shape with descriptions added from a table (fields not in it stay undescribed). */
export function described<S extends z.ZodRawShape>(
  shape: S,
  descriptions: Partial<Record<keyof S, string>>,
): S {
  return Object.fromEntries(
    Object.entries(shape).map(([name, field]) => {
      const text = descriptions[name as keyof S];
      return [name, text === undefined ? field : (field as z.ZodType).describe(text)];
    }),
  ) as S;
}

/** submit_job's parameters as listed: the shared fields, described. */
export const submitJobInput = described(submitJobFields, SUBMIT_JOB_DESCRIPTIONS);
