/**
 * The attribute checks PBS's client library runs on a job request before it
 * leaves the client (OpenPBS `src/lib/Libecl/ecl_verify_values.c`, called by
 * `pbs_submit`, `pbs_alterjob`, `pbs_holdjob`, `pbs_rlsjob`), keyed by the
 * option letter that sets the attribute. qsub and qalter turn a refusal into
 * `CMD: illegal -X value` + usage (exit 2), or `CMD: Job name is too long `
 * (exit 2, no usage) for an over-long name (`handle_attribute_errors`).
 *
 * Facts carried over: job names are at most 230 characters (PBS_MAXJOBNAME)
 * of letters, digits and `-_+.` (`check_job_name`, `isalnumspch`); user and
 * mail lists are `name[@host]` items (`parse_at_list`); dependencies follow
 * `parse_depend_list`; array ranges `chk_Jrange`.
 */

import { PBSE, SimError } from "../model.ts";
import { type CommandOutput, exitCodeOf, fail, serverMessage } from "../errno.ts";
import { isKnownResource, validateResources } from "../resources.ts";
import { type CommandContext, usageError } from "./context.ts";

export type AttrVerdict = "ok" | "illegal" | "too-long";

const MAX_JOB_NAME = 230;
const JOB_NAME_CHARS = /^[A-Za-z0-9_+.-]+$/;

/** `check_job_name` with a numeric first character allowed (submit, alter). */
export function verifyJobName(name: string): AttrVerdict {
  if (name.length > MAX_JOB_NAME) return "too-long";
  return JOB_NAME_CHARS.test(name) ? "ok" : "illegal";
}

/** `verify_value_checkpoint`: n, s, c, w, u, or `c=MIN`/`w=MIN`. */
function checkpoint(value: string): boolean {
  return /^[nscwu]$/.test(value) || /^[cw]=\d+$/.test(value);
}

/** `verify_value_hold`: letters u, o, s, p, n; `n` and `p` each stand alone. */
export function isHoldList(value: string): boolean {
  if (!/^[uospn]+$/.test(value)) return false;
  const others = (letter: string) => [...value].some((c) => c !== letter);
  if (value.includes("n") && others("n")) return false;
  if (value.includes("p") && others("p")) return false;
  return true;
}

/** `verify_keepfiles_common`: o, e, d, n; `n` not with o/e; `d` only with o, e or n. */
function keepFiles(value: string): boolean {
  if (!/^[oedn]+$/.test(value)) return false;
  const keep = /[oe]/.test(value);
  const none = value.includes("n");
  return !(keep && none) && !(value.includes("d") && !keep && !none);
}

/** `verify_value_mailpoints` for jobs: `n`, or letters a, b, e, j (`j` not alone). */
function mailPoints(value: string): boolean {
  const v = value.trimStart();
  if (v === "" || v === "j") return false;
  return v === "n" || /^[abej]+$/.test(v);
}

/** `decode_l` then `verify_value_priority`: an integer in [-1024, 1023]. */
export function isPriority(value: string): boolean {
  if (!/^\s*[+-]?\d+$/.test(value)) return false;
  const n = Number(value);
  return n >= -1024 && n <= 1023;
}

/**
 * `parse_at_list(list, use_count, abs_path)`: comma-separated `name[@host]`
 * items, names of visible characters other than `#` and `@`, no empty item;
 * with `useCount` no host twice (two items without a host count as twice);
 * with `absPath` every item starts with `/`.
 */
export function isAtList(list: string, useCount: boolean, absPath: boolean): boolean {
  if (list === "") return false;
  const hosts = new Set<string>();
  for (const raw of list.split(",")) {
    const item = raw.trim();
    if (absPath && !item.startsWith("/")) return false;
    const m = /^([^\s#@]+)(?:@([^\s#@]+))?$/.exec(item);
    if (!m) return false;
    const host = m[2] ?? "";
    if (useCount && hosts.has(host)) return false;
    hosts.add(host);
  }
  return true;
}

const DEPEND_TYPES = new Set([
  "on",
  "synccount",
  "after",
  "afterok",
  "afternotok",
  "afterany",
  "before",
  "beforeok",
  "beforenotok",
  "beforeany",
  "syncwith",
  "runone",
]);

/**
 * `parse_depend_list`: comma-separated `type:value[:value...]`, a known type,
 * at least one value, no empty value; `on`/`synccount` take a count, the
 * others job ids (`parse_jobid` form; `[]` allowed, not a subjob or range).
 */
export function isDependList(value: string): boolean {
  if (value === "") return false;
  return value.split(",").every((clause) => {
    const [type, ...values] = clause.trim().split(":");
    if (!DEPEND_TYPES.has(type) || values.length === 0) return false;
    if (values.some((v) => v === "")) return false;
    if (type === "on" || type === "synccount") return true;
    return values.every((id) => /^\d+(\[\])?(\.[^\s#@:]+)?(@[^\s#@:]+)?$/.test(id));
  });
}

/** `chk_Jrange`: `X-Y[:Z]` with X < Y and Z ≥ 1 (the `%` limit is split off before). */
export function isArrayRange(value: string): boolean {
  const m = /^(\d+)-(\d+)(?::(\d+))?$/.exec(value);
  if (!m) return false;
  return Number(m[1]) < Number(m[2]) && (m[3] === undefined || Number(m[3]) >= 1);
}

/** Checks per option letter; other letters are not checked. */
const CHECKS: Record<string, (value: string) => boolean> = {
  c: checkpoint,
  e: (v) => v !== "",
  o: (v) => v !== "",
  h: isHoldList,
  j: (v) => v === "oe" || v === "eo" || v === "n",
  k: keepFiles,
  m: mailPoints,
  M: (v) => isAtList(v, false, false),
  p: isPriority,
  S: (v) => isAtList(v, true, true),
  u: (v) => isAtList(v, true, false),
  J: isArrayRange,
  R: (v) => /^[oe]+$/.test(v),
};

/** `-W name=value` attributes the library checks (the refusal names `-W`). */
const W_CHECKS: Record<string, (value: string) => boolean> = {
  depend: isDependList,
  group_list: (v) => isAtList(v, true, false),
  umask: (v) => /^\s*[+-]?\d+$/.test(v),
  run_count: (v) => /^\s*\+?\d+$/.test(v),
};

/** The client library's verdict on option `letter` (`attribute` for -W) set to `value`. */
export function verifyOption(letter: string, value: string, attribute?: string): AttrVerdict {
  if (letter === "N") return verifyJobName(value);
  const check = letter === "W" ? W_CHECKS[attribute ?? ""] : CHECKS[letter];
  return check === undefined || check(value) ? "ok" : "illegal";
}

/** One value to check: an option letter's, (`l`) one resource's, or (`W`) one attribute's. */
export interface AttrCheck {
  letter: string;
  value: string;
  resource?: string;
  attribute?: string;
}

type Refusal =
  | { letter: string; verdict: Exclude<AttrVerdict, "ok"> }
  | { letter: "l"; error: SimError };

/**
 * The first refused value of `checks` (in the order given), or undefined. A
 * built-in resource's value is checked by type (`verify_value_resc`: time,
 * size, integer, select); unknown resources are left to the server.
 */
export function firstRefused(checks: readonly AttrCheck[]): Refusal | undefined {
  for (const { letter, value, resource, attribute } of checks) {
    if (resource !== undefined) {
      const error = resourceRefusal(resource, value);
      if (error) return { letter: "l", error };
      continue;
    }
    const verdict = verifyOption(letter, value, attribute);
    if (verdict !== "ok") return { letter, verdict };
  }
  return undefined;
}

function resourceRefusal(name: string, value: string): SimError | undefined {
  if (value === "" || !isKnownResource(name)) return undefined;
  try {
    validateResources([[name, value]]);
    return undefined;
  } catch (error) {
    if (error instanceof SimError && error.errno === PBSE.BADATVAL) return error;
    if (error instanceof SimError) return undefined;
    throw error;
  }
}

/**
 * How qsub and qalter answer a refusal (`handle_attribute_errors`): a
 * resource `CMD: MESSAGE[ ID]` with the error's exit status; an over-long
 * name `CMD: Job name is too long ` (exit 2); anything else
 * `CMD: illegal -X value` + usage (exit 2). `jobId` is qalter's job.
 */
export function attributeRefusal(
  ctx: CommandContext,
  checks: readonly AttrCheck[],
  jobId?: string,
): CommandOutput | undefined {
  const refused = firstRefused(checks);
  if (!refused) return undefined;
  if ("error" in refused) {
    const id = jobId === undefined ? "" : ` ${jobId}`;
    return fail(
      exitCodeOf(refused.error.errno),
      `${ctx.command}: ${serverMessage(refused.error)}${id}\n`,
    );
  }
  if (refused.verdict === "too-long") return fail(2, `${ctx.command}: Job name is too long \n`);
  return usageError(ctx, `illegal -${refused.letter} value`);
}
