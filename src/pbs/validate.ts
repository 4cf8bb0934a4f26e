/**
 * Validation of every user value before it reaches a PBS argv.
 *
 * Each validator returns the value normalised to the form PBS expects, or throws
 * a PbsError of kind `invalid_input` whose message says what is wrong and whose
 * hint says how to fix it (with an example). Validators are deliberately
 * stricter than PBS where PBS would accept something surprising (a comment with
 * a newline, a job name starting with `-`): nothing built from user text may
 * start with `-` (PBS would read it as an option) or contain control
 * characters (they would corrupt PBS's line-oriented output).
 *
 * Facts used here come from OpenPBS 23.06 (src/lib/Libcmds, src/lib/Libecl,
 * src/cmds) and the goldens in tests/fixtures/golden.
 */

import { invalidInput } from "./errors.ts";
import { formatDuration, parseDuration, parseSize } from "./model/time.ts";
import { formatSelect, parseSelect } from "./model/select.ts";

// ---------------------------------------------------------------------------
// Shared helpers

// deno-lint-ignore no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** Shows a user value inside a message: quoted, escaped, and cut short. */
function show(value: unknown): string {
  const text = describe(value);
  const cut = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(cut);
}

/** Any value as text, even objects without a prototype (which `String()` cannot convert). */
function describe(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value == null) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

/**
 * The checks every textual value shares: a string, not empty, no control
 * characters, not starting with `-`. Returns the value trimmed of surrounding
 * spaces (people paste ids with a trailing newline).
 */
function basicText(value: unknown, what: string, example: string): string {
  if (typeof value !== "string") {
    throw invalidInput(
      `${what} must be text, got ${typeof value}.`,
      `Give it as text, e.g. ${example}.`,
    );
  }
  const text = value.trim();
  if (text === "") throw invalidInput(`${what} is empty.`, `Give a value, e.g. ${example}.`);
  if (CONTROL_RE.test(text)) {
    throw invalidInput(
      `${what} ${show(value)} contains a control character (newline, tab, NUL, ...).`,
      `Remove it; a valid value looks like ${example}.`,
    );
  }
  if (text.startsWith("-")) {
    throw invalidInput(
      `${what} ${show(value)} starts with '-', which PBS would read as an option.`,
      `Remove the leading '-'; a valid value looks like ${example}.`,
    );
  }
  return text;
}

function matchOrThrow(
  text: string,
  re: RegExp,
  what: string,
  rule: string,
  example: string,
): string {
  if (!re.test(text)) {
    throw invalidInput(`${what} ${show(text)} is not valid: ${rule}.`, `Use e.g. ${example}.`);
  }
  return text;
}

function maxLength(text: string, max: number, what: string, example: string): string {
  if (text.length > max) {
    throw invalidInput(
      `${what} is ${text.length} characters long; PBS allows at most ${max}.`,
      `Shorten it, e.g. ${example}.`,
    );
  }
  return text;
}

/** Accepts a comma-separated string or an array; returns the trimmed, non-empty items. */
function listItems(value: unknown, what: string, example: string): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      throw invalidInput(`${what} is an empty list.`, `Give e.g. ${example}.`);
    }
    return value.map((item) => basicText(item, `An item of ${what}`, example));
  }
  const text = basicText(value, what, example);
  const items = text.split(",").map((item) => item.trim());
  if (items.some((item) => item === "")) {
    throw invalidInput(`${what} ${show(text)} has an empty item.`, `Give e.g. ${example}.`);
  }
  return items.map((item) => basicText(item, `An item of ${what}`, example));
}

// ---------------------------------------------------------------------------
// Identifiers

/**
 * Host names (server part of ids and destinations). PBS itself accepts any
 * printable character except `#` and `@` (parse_jobid.c); real host names are
 * letters, digits, `-`, `_` and dots, which is all we let through.
 */
const HOST_PART = "[A-Za-z0-9][A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+)*";
const HOST_RE = new RegExp(`^${HOST_PART}$`);
/** PBS_MAXSERVERNAME (pbs_ifl.h). */
const MAX_HOST = 255;
/** PBS_MAXSEQNUM (pbs_ifl.h): digits in a job sequence number. */
const MAX_SEQ_DIGITS = 12;

export function validateServerName(value: unknown): string {
  const example = "pbs01 or pbs01.example.org";
  const text = basicText(value, "Server name", example);
  maxLength(text, MAX_HOST, "Server name", example);
  return matchOrThrow(text, HOST_RE, "Server name", "letters, digits, '-', '_' and dots", example);
}

export interface JobIdOptions {
  /** Allow one subjob of an array, `123[4]`. Default true. */
  subjob?: boolean;
  /** Allow a subjob range, `123[1-5]` or `123[1-9:2]`. Default true. */
  range?: boolean;
}

const JOB_ID_RE = new RegExp(
  `^(\\d{1,${MAX_SEQ_DIGITS}})(?:\\[([^\\]]*)\\])?(?:\\.(${HOST_PART}))?(?:@(${HOST_PART}))?$`,
);
const INDEX_RE = /^\d+$/;
const RANGE_RE = /^(\d+)-(\d+)(?::(\d+))?$/;
const JOB_ID_EXAMPLE = "123, 123.pbs01, 123[].pbs01 (array), 123[4].pbs01 (subjob)";

/**
 * A job id: `123`, `123.server`, `123.server.domain`, optionally `@server`;
 * arrays `123[]`, subjobs `123[4]`, subjob ranges `123[1-5]`, `123[1-9:2]`
 * (the bracket grammar of parse_jobid.c). Returned trimmed, otherwise as given.
 */
export function validateJobId(value: unknown, options: JobIdOptions = {}): string {
  const text = basicText(value, "Job id", JOB_ID_EXAMPLE);
  const m = JOB_ID_RE.exec(text);
  if (!m) {
    throw invalidInput(
      `Job id ${show(text)} is not a PBS job id (digits, optional [index], optional .server).`,
      `Use e.g. ${JOB_ID_EXAMPLE}.`,
    );
  }
  const [, , index] = m;
  if (index !== undefined && index !== "") checkJobIndex(text, index, options);
  maxLength(text, MAX_HOST + 40, "Job id", JOB_ID_EXAMPLE);
  return text;
}

function checkJobIndex(text: string, index: string, options: JobIdOptions): void {
  if (INDEX_RE.test(index)) {
    if (options.subjob === false) {
      throw invalidInput(
        `Job id ${show(text)} names a single subjob, which is not accepted here.`,
        "Use the whole job (123.pbs01) or the array (123[].pbs01).",
      );
    }
    return;
  }
  const range = RANGE_RE.exec(index);
  if (!range) {
    throw invalidInput(
      `Job id ${show(text)} has an invalid array index '[${index}]'.`,
      "Use [] for the array, [4] for one subjob or [1-5] / [1-9:2] for a range.",
    );
  }
  if (options.range === false) {
    throw invalidInput(
      `Job id ${show(text)} names a range of subjobs, which is not accepted here.`,
      "Give one job or subjob id at a time, e.g. 123[4].pbs01.",
    );
  }
  const [, start, end, step] = range;
  if (Number(start) >= Number(end) || (step !== undefined && Number(step) < 1)) {
    throw invalidInput(
      `Job id ${show(text)} has an empty or backwards range '[${index}]'.`,
      "The range must go up with a step of at least 1, e.g. 123[1-10:2].",
    );
  }
}

/** Several job ids (array or comma-separated string); at least one. */
export function validateJobIds(value: unknown, options: JobIdOptions = {}): string[] {
  return listItems(value, "Job id list", '["123.pbs01", "124.pbs01"]').map((id) =>
    validateJobId(id, options)
  );
}

const RESV_ID_RE = new RegExp(`^[RSM]\\d{1,${MAX_SEQ_DIGITS}}(?:\\.${HOST_PART})?$`);
const RESV_EXAMPLE = "R123, R123.pbs01 (advance), S45.pbs01 (standing), M7.pbs01 (maintenance)";

/** A reservation id: `R`, `S` (standing) or `M` (maintenance), digits, optional `.server`. */
export function validateReservationId(value: unknown): string {
  const text = basicText(value, "Reservation id", RESV_EXAMPLE);
  maxLength(text, MAX_HOST + 20, "Reservation id", RESV_EXAMPLE);
  return matchOrThrow(
    text,
    RESV_ID_RE,
    "Reservation id",
    "R, S or M, then digits, then optionally .server",
    RESV_EXAMPLE,
  );
}

/** PBS_MAXQUEUENAME (pbs_ifl.h). */
const MAX_QUEUE = 15;
/**
 * qmgr requires queue names to start with a letter (qmgr.c check_list); the
 * rest is letters, digits, `_`, `-` and `.` (PBS would take any printable
 * character, but nothing else is seen in practice and these are argv-safe).
 */
const QUEUE_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const QUEUE_EXAMPLE = "workq, debug or R44";

export function validateQueueName(value: unknown): string {
  const text = basicText(value, "Queue name", QUEUE_EXAMPLE);
  matchOrThrow(
    text,
    QUEUE_RE,
    "Queue name",
    "a letter, then letters, digits, '_', '-' or '.'",
    QUEUE_EXAMPLE,
  );
  return maxLength(text, MAX_QUEUE, "Queue name", QUEUE_EXAMPLE);
}

/** A destination for qsub -q / qmove: `queue`, `queue@server` or `@server` (its default queue). */
export function validateDestination(value: unknown): string {
  const example = "workq, workq@pbs01 or @pbs01";
  const text = basicText(value, "Destination", example);
  const at = text.indexOf("@");
  if (at < 0) return validateQueueName(text);
  const queue = text.slice(0, at);
  const server = text.slice(at + 1);
  if (server === "") {
    throw invalidInput(`Destination ${show(text)} has nothing after '@'.`, `Use e.g. ${example}.`);
  }
  return `${queue === "" ? "" : validateQueueName(queue)}@${validateServerName(server)}`;
}

/** POSIX-ish user names (PBS_MAXUSER = 256). */
const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/;
const MAX_USER = 256;

export function validateUserName(value: unknown): string {
  const example = "alice or svc_batch";
  const text = basicText(value, "User name", example);
  maxLength(text, MAX_USER, "User name", example);
  return matchOrThrow(text, USER_RE, "User name", "letters, digits, '_', '.', '-'", example);
}

/** `user` or `user@host`: the items of qselect -u and pbs_rsub -U lists. */
function validateUserAtHost(item: string): string {
  const at = item.indexOf("@");
  if (at < 0) return validateUserName(item);
  return `${validateUserName(item.slice(0, at))}@${validateServerName(item.slice(at + 1))}`;
}

/** A list of `user[@host]` (array or comma-separated); returned comma-joined. */
export function validateUserList(value: unknown): string {
  return listItems(value, "User list", "alice,bob@login01").map(validateUserAtHost).join(",");
}

/** PBS_MAXNODENAME (pbs_nodes.h). */
const MAX_NODE = 79;
/** Vnode names: host-like, plus `[n]` for vnodes split out of a host (`node01[0]`). */
const NODE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*(?:\[\d+\])?$/;

export function validateNodeName(value: unknown): string {
  const example = "node001, x4000c0s0b0n0 or node01[0]";
  const text = basicText(value, "Node name", example);
  maxLength(text, MAX_NODE, "Node name", example);
  return matchOrThrow(text, NODE_RE, "Node name", "letters, digits, '_', '-', '.'", example);
}

/** Resource names start with a letter; no `.` since qselect writes `name.gt.value`. */
const RESOURCE_NAME_RE = /^[A-Za-z][A-Za-z0-9_-]*$/;
const MAX_RESOURCE_NAME = 255;

export function validateResourceName(value: unknown): string {
  const example = "ncpus, mem or ngpus";
  const text = basicText(value, "Resource name", example);
  maxLength(text, MAX_RESOURCE_NAME, "Resource name", example);
  return matchOrThrow(
    text,
    RESOURCE_NAME_RE,
    "Resource name",
    "a letter, then letters, digits, '_' or '-'",
    example,
  );
}

/**
 * A value for `-l name=value`. PBS splits `-l` on commas and treats quotes
 * specially, so commas, quotes, `=` and whitespace are refused rather than
 * escaped: no real resource value needs them.
 */
export function validateResourceValue(name: string, value: unknown): string {
  const example = `${name}=4`;
  const text = basicText(
    typeof value === "number" ? String(value) : value,
    `Value of ${name}`,
    example,
  );
  if (/[\s,'"=\\]/.test(text)) {
    throw invalidInput(
      `Value of ${name} ${
        show(text)
      } contains whitespace, a comma, a quote, '=' or '\\', which would break PBS's -l parsing.`,
      `Give a plain value, e.g. ${example}.`,
    );
  }
  return maxLength(text, 4096, `Value of ${name}`, example);
}

// ---------------------------------------------------------------------------
// Resources with their own grammar

/**
 * A walltime: `HH:MM:SS`, `MM:SS` or seconds as text, or a number of seconds.
 * Returned as `HH:MM:SS`.
 */
export function validateWalltime(value: unknown, what = "Walltime"): string {
  const example = "01:30:00, 90:00 or 5400";
  let seconds: number | undefined;
  if (typeof value === "number") {
    seconds = Number.isSafeInteger(value) ? value : undefined;
  } else {
    seconds = parseDuration(basicText(value, what, example));
  }
  if (seconds === undefined) {
    throw invalidInput(
      `${what} ${show(value)} is not a duration (HH:MM:SS, MM:SS or whole seconds).`,
      `Use e.g. ${example}.`,
    );
  }
  if (seconds < 1) {
    throw invalidInput(`${what} ${show(value)} is zero or negative.`, `Use e.g. ${example}.`);
  }
  return formatDuration(seconds);
}

/**
 * A memory size: digits with an optional `k|m|g|t|p` multiplier and optional
 * `b` or `w` (words) unit, case-insensitive (attr_fn_size.c); a number is
 * bytes. Returned lower-case (`16GB` → `16gb`).
 */
export function validateMemSize(value: unknown, what = "Memory size"): string {
  const example = "512mb, 4gb or 1tb";
  if (typeof value === "number" && !(Number.isSafeInteger(value) && value >= 0)) {
    throw invalidInput(
      `${what} ${show(value)} is not a whole number of bytes.`,
      `Use e.g. ${example}.`,
    );
  }
  const text = typeof value === "number" ? `${value}b` : basicText(value, what, example);
  const bytes = parseSize(text);
  if (bytes === undefined || /\s/.test(text)) {
    throw invalidInput(
      `${what} ${show(value)} is not a PBS size (number + b/kb/mb/gb/tb/pb, or w for words).`,
      `Use e.g. ${example}.`,
    );
  }
  if (bytes === 0) throw invalidInput(`${what} ${show(value)} is zero.`, `Use e.g. ${example}.`);
  return text.toLowerCase();
}

/**
 * A select specification, checked with the shared grammar (model/select.ts)
 * and then with the argv rules for each value (no commas, quotes, spaces).
 * Returned in canonical form (counts always written: `1:ncpus=2`).
 */
export function validateSelect(value: unknown): string {
  const text = basicText(value, "Select", "2:ncpus=4:mem=8gb");
  const chunks = parseSelect(text);
  for (const chunk of chunks) {
    for (const [name, resourceValue] of Object.entries(chunk.resources)) {
      validateResourceName(name);
      validateResourceValue(name, resourceValue);
    }
  }
  return formatSelect(chunks);
}

const ARRANGEMENTS = ["free", "pack", "scatter", "vscatter"];
const SHARINGS = ["excl", "shared", "exclhost"];

/**
 * A placement: `arrangement[:sharing][:group=resource]` where arrangement is
 * free|pack|scatter|vscatter and sharing excl|shared|exclhost; each part is
 * optional but at least one is needed, and each appears once. Returned in
 * that canonical order.
 */
export function validatePlace(value: unknown): string {
  const example = "scatter, pack:excl or scatter:excl:group=switch";
  const text = basicText(value, "Place", example);
  let arrangement: string | undefined;
  let sharing: string | undefined;
  let group: string | undefined;
  for (const part of text.split(":")) {
    if (ARRANGEMENTS.includes(part) && arrangement === undefined) arrangement = part;
    else if (SHARINGS.includes(part) && sharing === undefined) sharing = part;
    else if (part.startsWith("group=") && group === undefined) {
      group = `group=${validateResourceName(part.slice("group=".length))}`;
    } else {
      throw invalidInput(
        `Place ${show(text)}: '${part}' is not an arrangement (${
          ARRANGEMENTS.join("|")
        }), a sharing (${SHARINGS.join("|")}) or group=resource, or it is repeated.`,
        `Use e.g. ${example}.`,
      );
    }
  }
  return [arrangement, sharing, group].filter((p) => p !== undefined).join(":");
}

/** Filesystem names as used by `-l filesystems=home:eagle` (ALCF). */
const FILESYSTEM_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** A list of filesystems (array, or a `:`/`,`-separated string); returned `:`-joined. */
export function validateFilesystems(value: unknown): string {
  const example = 'home:eagle or ["home", "flare"]';
  const items = Array.isArray(value)
    ? value.map((item) => basicText(item, "A filesystem", example))
    : basicText(value, "Filesystems", example).split(/[:,]/);
  if (items.length === 0) throw invalidInput("Filesystems is an empty list.", `Use ${example}.`);
  return items.map((item) =>
    matchOrThrow(
      item.trim(),
      FILESYSTEM_RE,
      "Filesystem",
      "letters, digits, '_', '-', '.'",
      example,
    )
  ).join(":");
}

// ---------------------------------------------------------------------------
// Job attributes

/** PBS_MAXJOBNAME (pbs_ifl.h). */
const MAX_JOB_NAME = 230;
/** check_job_name (ck_job_name.c): alphanumerics and `-_+.`; we also refuse a leading `-`. */
const JOB_NAME_RE = /^[A-Za-z0-9_+.][A-Za-z0-9_+.-]*$/;

/** A job or reservation name (`qsub -N`, `qalter -N`, `qselect -N`, `pbs_rsub -N`). */
export function validateJobName(value: unknown, what = "Job name"): string {
  const example = "analysis_1 or run-42.b";
  const text = basicText(value, what, example);
  maxLength(text, MAX_JOB_NAME, what, example);
  if (!JOB_NAME_RE.test(text)) {
    throw invalidInput(
      `${what} ${
        show(text)
      } has characters PBS refuses (only ASCII letters, digits, '_', '+', '.', '-'; no spaces or accents).`,
      `Use e.g. ${example}.`,
    );
  }
  return text;
}

/** An account string (`-A`): printable ASCII without whitespace or quotes. */
export function validateAccount(value: unknown): string {
  const example = "MyProject or acct123";
  const text = basicText(value, "Account", example);
  maxLength(text, 256, "Account", example);
  // Quotes, backslashes and commas are refused because qselect and the text
  // output of qstat treat them specially; no real account needs them.
  return matchOrThrow(
    text,
    /^[\x21-\x7e]+$/,
    "Account",
    "printable ASCII without spaces",
    example,
  ) && matchOrThrow(text, /^[^'"\\,]+$/, "Account", "no quotes, backslashes or commas", example);
}

/** Job priority (`-p`): an integer in -1024..1023 (verify_value_priority). */
export function validatePriority(value: unknown): string {
  const example = "0, 100 or -50";
  const n = typeof value === "number"
    ? value
    : typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)
    ? Number(value.trim())
    : NaN;
  if (!Number.isInteger(n) || n < -1024 || n > 1023) {
    throw invalidInput(
      `Priority ${show(value)} is not an integer between -1024 and 1023.`,
      `Use e.g. ${example}.`,
    );
  }
  return String(n);
}

/**
 * Mail points (`-m`): `n` alone, or any of `a` (abort), `b` (begin), `e`
 * (end), plus `j` (subjobs too) for array jobs; reservations use `c`
 * (confirmed) instead of `j` (verify_value_mailpoints). Duplicates dropped.
 */
export function validateMailEvents(value: unknown, kind: "job" | "reservation" = "job"): string {
  const allowed = kind === "job" ? "abej" : "abec";
  const example = kind === "job" ? "abe, ae or n" : "abc or n";
  const text = basicText(value, "Mail events", example);
  if (text === "n") return text;
  if (![...text].every((c) => allowed.includes(c))) {
    throw invalidInput(
      `Mail events ${show(text)} may only use the letters ${
        allowed.split("").join(", ")
      } (or be n for none).`,
      `Use e.g. ${example}.`,
    );
  }
  const unique = [...new Set(text)].join("");
  if (unique === "j") {
    throw invalidInput("Mail event 'j' needs at least one of a, b, e.", "Use e.g. abej.");
  }
  return unique;
}

/** Mail recipients (`-M`): `user` or `user@host.domain`, several comma-separated. */
export function validateMailUsers(value: unknown): string {
  return listItems(value, "Mail users", "alice@example.org,bob").map((item) => {
    const at = item.lastIndexOf("@");
    if (at < 0) return validateUserName(item);
    const local = item.slice(0, at);
    matchOrThrow(
      local,
      /^[A-Za-z0-9_.+-]+$/,
      "Mail address",
      "the part before @ has letters, digits, '.', '_', '+', '-'",
      "alice@example.org",
    );
    return `${local}@${validateServerName(item.slice(at + 1))}`;
  }).join(",");
}

/**
 * Hold types for qhold/qrls (`-h`): any combination of `u` (user), `o`
 * (operator), `s` (system). Duplicates dropped, order kept.
 */
export function validateHoldTypes(value: unknown): string {
  const example = "u, o, s or uos";
  const text = basicText(value, "Hold types", example);
  if (!/^[uos]+$/.test(text)) {
    throw invalidInput(
      `Hold types ${show(text)} may only contain u (user), o (operator) and s (system).`,
      `Use e.g. ${example}.`,
    );
  }
  return [...new Set(text)].join("");
}

/** Keep files (`-k`): `o`, `e`, `oe`, with optional `d` (direct write), or `n` (verify_keepfiles_common). */
export function validateKeepFiles(value: unknown): string {
  const example = "oe, od, oed or n";
  const text = basicText(value, "Keep files", example);
  const letters = new Set(text);
  const ok = /^[oedn]+$/.test(text) &&
    !(letters.has("n") && (letters.has("o") || letters.has("e"))) &&
    !(letters.has("d") && !letters.has("o") && !letters.has("e") && !letters.has("n"));
  if (!ok) {
    throw invalidInput(
      `Keep files ${show(text)} is not valid: use o and/or e (optionally with d), or n.`,
      `Use e.g. ${example}.`,
    );
  }
  return [...letters].join("");
}

/** Join paths (`-j`): `oe`, `eo` or `n`. */
export function validateJoin(value: unknown): string {
  const text = basicText(value, "Join", "oe");
  if (!["oe", "eo", "n"].includes(text)) {
    throw invalidInput(
      `Join ${show(text)} must be oe, eo or n.`,
      "Use oe to merge stderr into stdout.",
    );
  }
  return text;
}

// ---------------------------------------------------------------------------
// Dependencies and arrays

const JOB_DEP_TYPES = [
  "after",
  "afterok",
  "afternotok",
  "afterany",
  "before",
  "beforeok",
  "beforenotok",
  "beforeany",
  "runone",
];
const DEP_EXAMPLE = "afterok:123.pbs01, afterok:123:124,afterany:125 or on:2";

/** One dependency in structured form; `on` takes a count, every other type job ids. */
export type Dependency =
  | { type: "on"; count: number }
  | { type: string; jobs: string[] };

/**
 * A dependency list (`-W depend=`): `type:arg[:arg...]` items joined by `,`
 * (parse_depend.c). Types after, afterok, afternotok, afterany, before,
 * beforeok, beforenotok, beforeany and runone take job ids (arrays `123[]`
 * allowed, single subjobs and ranges not); `on` takes a count. Accepts the
 * string form or an array of {type, jobs} / {type: "on", count}.
 */
export function validateDependencies(value: unknown): string {
  const items = Array.isArray(value)
    ? value.map(dependencyFromObject)
    : basicText(value, "Dependency", DEP_EXAMPLE).split(",").map((item) => item.trim());
  if (items.length === 0) {
    throw invalidInput("Dependency list is empty.", `Use e.g. ${DEP_EXAMPLE}.`);
  }
  return items.map(validateDependencyItem).join(",");
}

function dependencyFromObject(dep: unknown): string {
  if (
    typeof dep !== "object" || dep === null || typeof (dep as { type?: unknown }).type !== "string"
  ) {
    throw invalidInput(
      `Dependency ${show(JSON.stringify(dep))} is not {type, jobs} or {type: "on", count}.`,
      'Use e.g. {"type": "afterok", "jobs": ["123.pbs01"]}.',
    );
  }
  const { type, jobs, count } = dep as { type: string; jobs?: unknown; count?: unknown };
  if (type === "on") return `on:${String(count)}`;
  if (!Array.isArray(jobs) || jobs.length === 0) {
    throw invalidInput(
      `Dependency of type ${show(type)} lists no jobs.`,
      'Use e.g. {"type": "afterok", "jobs": ["123.pbs01"]}.',
    );
  }
  return [type, ...jobs.map(String)].join(":");
}

function validateDependencyItem(item: string): string {
  const [type, ...args] = item.split(":");
  if (args.length === 0 || args.some((a) => a.trim() === "")) {
    throw invalidInput(
      `Dependency ${show(item)} needs type:argument (arguments separated by ':').`,
      `Use e.g. ${DEP_EXAMPLE}.`,
    );
  }
  if (type === "on") {
    if (args.length !== 1 || !/^\d+$/.test(args[0])) {
      throw invalidInput(
        `Dependency ${show(item)}: 'on' takes one whole number (how many jobs depend on this one).`,
        "Use e.g. on:2.",
      );
    }
    return `on:${Number(args[0])}`;
  }
  if (!JOB_DEP_TYPES.includes(type)) {
    throw invalidInput(
      `Dependency type ${show(type)} is unknown.`,
      `Use one of ${JOB_DEP_TYPES.join(", ")} or on, e.g. ${DEP_EXAMPLE}.`,
    );
  }
  const jobs = args.map((id) => validateJobId(id.trim(), { subjob: false, range: false }));
  return [type, ...jobs].join(":");
}

/**
 * An array range (`-J`): `start-end[:step][%max_running]` with start < end
 * and step ≥ 1 (chk_Jrange.c; `%` sets max_run_subjobs).
 */
export function validateArrayRange(value: unknown): string {
  const example = "1-10, 1-10:2, 1-100%5 or 0-99:3%10";
  const text = basicText(value, "Array range", example);
  const m = /^(\d+)-(\d+)(?::(\d+))?(?:%(\d+))?$/.exec(text);
  if (!m) {
    throw invalidInput(
      `Array range ${show(text)} is not start-end[:step][%max_running].`,
      `Use e.g. ${example}.`,
    );
  }
  const [, start, end, step, maxRun] = m;
  if (Number(start) >= Number(end)) {
    throw invalidInput(
      `Array range ${show(text)}: the start must be below the end.`,
      `Use e.g. ${example}.`,
    );
  }
  if (step !== undefined && Number(step) < 1) {
    throw invalidInput(
      `Array range ${show(text)}: the step must be at least 1.`,
      "Use e.g. 1-10:2.",
    );
  }
  if (maxRun !== undefined && Number(maxRun) < 1) {
    throw invalidInput(
      `Array range ${show(text)}: the limit after % must be at least 1.`,
      "Use e.g. 1-100%5.",
    );
  }
  return text;
}

// ---------------------------------------------------------------------------
// Environment variables (`qsub -v`)

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An environment variable name; PBS_O_* names are refused (qsub sets and silently drops them). */
export function validateEnvName(value: unknown): string {
  const example = "OMP_NUM_THREADS";
  const text = basicText(value, "Environment variable name", example);
  matchOrThrow(
    text,
    ENV_NAME_RE,
    "Environment variable name",
    "a letter or '_', then letters, digits or '_'",
    example,
  );
  if (text.startsWith("PBS_O_")) {
    throw invalidInput(
      `Environment variable ${
        show(text)
      } is reserved: qsub sets PBS_O_* itself and ignores them in -v.`,
      "Use a different name, e.g. MY_WORKDIR.",
    );
  }
  return text;
}

/**
 * Encodes one `-v` value so PBS stores it unchanged.
 *
 * How qsub treats `-v` values (qsub.c copy_env_value, goldens qsub_env_*):
 * a comma ends the value unless quoted; `'` and `"` are quoting characters and
 * are removed (`Q=say "hi"` is stored as `say hi`); backslashes are doubled
 * twice (`C:\temp` is stored as `C:\\\\temp`). So:
 * - values with a comma are wrapped in single quotes (`'a,b'` → `a,b`),
 * - values with quotes, backslashes or control characters (newline, tab) are
 *   refused: they cannot be passed through `-v` faithfully.
 * An empty value is allowed (`EMPTY=`).
 */
export function encodeEnvValue(name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw invalidInput(
      `Value of environment variable ${name} must be text, got ${typeof value}.`,
      `Give it as text, e.g. ${name}=4.`,
    );
  }
  if (CONTROL_RE.test(value)) {
    throw invalidInput(
      `Value of environment variable ${name} contains a newline, tab or other control character, which qsub -v cannot carry.`,
      "Set such values inside the job script instead (e.g. export VAR=$'a\\nb').",
    );
  }
  if (/['"\\]/.test(value)) {
    throw invalidInput(
      `Value of environment variable ${name} contains a quote or backslash; qsub -v strips quotes and multiplies backslashes, so it would arrive changed.`,
      "Set such values inside the job script instead, or avoid quotes and backslashes (use / for paths).",
    );
  }
  return value.includes(",") ? `'${value}'` : value;
}

/** A whole `-v` list from a name→value map: `A=1,B='x,y'`. */
export function formatEnvList(vars: Record<string, unknown>): string {
  if (typeof vars !== "object" || vars === null || Array.isArray(vars)) {
    throw invalidInput(
      `Environment variables must be a name→value map, got ${show(vars)}.`,
      'Give e.g. {"OMP_NUM_THREADS": "4"}.',
    );
  }
  const entries = Object.entries(vars);
  if (entries.length === 0) {
    throw invalidInput(
      "The environment variable map is empty.",
      'Give e.g. {"OMP_NUM_THREADS": "4"}.',
    );
  }
  return entries.map(([name, value]) => {
    const checked = validateEnvName(name);
    return `${checked}=${encodeEnvValue(checked, value)}`;
  }).join(",");
}

// ---------------------------------------------------------------------------
// Dates and paths

const PBS_DATE_RE = /^(\d{4}|\d{6}|\d{8}|\d{10}|\d{12})(?:\.(\d{2}))?$/;
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A date-time for `qsub -a` / `pbs_rsub -R -E`, returned in PBS's
 * `CCYYMMDDhhmm[.SS]` (cvtdate.c). Accepts:
 * - ISO 8601 `2026-11-24T15:30[:SS]`: without a zone it is local wall-clock time
 *   as written; with `Z` or `±hh:mm` it is converted to this machine's local
 *   time, which is how the PBS client (run on this machine) interprets it;
 * - PBS's own `[[[[CC]YY]MM]DD]hhmm[.SS]`, checked and passed through;
 * - a Date.
 */
export function validateDateTime(value: unknown, what = "Date-time"): string {
  const example = "2026-11-24T15:30, 2026-11-24T15:30:00Z or 202611241530";
  if (value instanceof Date) return formatPbsDate(value, what, example);
  const text = basicText(value, what, example);
  if (PBS_DATE_RE.test(text)) return checkPbsDate(text, what, example);
  const m = ISO_RE.exec(text);
  if (!m) {
    throw invalidInput(
      `${what} ${
        show(text)
      } is neither ISO 8601 (YYYY-MM-DDThh:mm[:ss][Z]) nor PBS's [[[[CC]YY]MM]DD]hhmm[.SS].`,
      `Use e.g. ${example}.`,
    );
  }
  const [, y, mo, d, h, mi, s = "00", zone] = m;
  if (zone !== undefined) {
    // Rebuilt in the one ISO shape every Date parser accepts (`+hh:mm`, no fraction).
    const offset = zone === "Z" ? zone : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
    const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
    if (Number.isNaN(date.getTime())) {
      throw invalidInput(`${what} ${show(text)} is not a real date.`, `Use e.g. ${example}.`);
    }
    checkFields(text, [+y, +mo, +d, +h, +mi, +s], what, example);
    return formatPbsDate(date, what, example);
  }
  checkFields(text, [+y, +mo, +d, +h, +mi, +s], what, example);
  return `${y}${mo}${d}${h}${mi}${s === "00" ? "" : `.${s}`}`;
}

/** Range-checks calendar fields, rejecting dates such as Feb 30. */
function checkFields(text: string, fields: number[], what: string, example: string): void {
  const [y, mo, d, h, mi, s] = fields;
  const date = new Date(y, mo - 1, d);
  const real = date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d;
  if (!real || h > 23 || mi > 59 || s > 59) {
    throw invalidInput(
      `${what} ${show(text)} is not a real date and time.`,
      `Use e.g. ${example}.`,
    );
  }
}

function formatPbsDate(date: Date, what: string, example: string): string {
  if (Number.isNaN(date.getTime())) {
    throw invalidInput(`${what} is an invalid Date.`, `Use e.g. ${example}.`);
  }
  const pad = (n: number) => String(n).padStart(2, "0");
  const s = date.getSeconds();
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}${
    pad(date.getHours())
  }${pad(date.getMinutes())}${s === 0 ? "" : `.${pad(s)}`}`;
}

/** Checks the fields of PBS's own format as cvtdate does (month 1-12, day 1-31, hh ≤ 23, mm/SS ≤ 59). */
function checkPbsDate(text: string, what: string, example: string): string {
  const [digits, seconds] = text.split(".");
  const tail = (n: number) => Number(digits.slice(digits.length - n, digits.length - n + 2));
  const bad = (seconds !== undefined && Number(seconds) > 59) ||
    tail(4) > 23 || tail(2) > 59 ||
    (digits.length >= 6 && (tail(6) < 1 || tail(6) > 31)) ||
    (digits.length >= 8 && (tail(8) < 1 || tail(8) > 12));
  if (bad) {
    throw invalidInput(
      `${what} ${show(text)} has a field out of range ([[[[CC]YY]MM]DD]hhmm[.SS]).`,
      `Use e.g. ${example}.`,
    );
  }
  return text;
}

/**
 * An output/error path (`-o`, `-e`): absolute (`/home/alice/out.log`) or
 * `host:/absolute/path`. Relative paths are refused: they would be resolved
 * against the MCP server's working directory, not the user's.
 */
export function validateOutputPath(value: unknown, what = "Output path"): string {
  const example = "/home/alice/run.out or login01:/home/alice/run.out";
  const text = basicText(value, what, example);
  const colon = text.indexOf(":");
  const path = colon >= 0 && !text.startsWith("/") ? text.slice(colon + 1) : text;
  if (colon >= 0 && !text.startsWith("/")) validateServerName(text.slice(0, colon));
  if (!path.startsWith("/")) {
    throw invalidInput(
      `${what} ${show(text)} is not absolute.`,
      `Give an absolute path, e.g. ${example}.`,
    );
  }
  return maxLength(text, 4096, what, example);
}

/**
 * A job script path (qsub's last argument). Must not start with `-` (qsub
 * would read an option; `--` even switches to command mode): write `./-x`
 * for a file literally named `-x`. Relative paths are resolved by qsub
 * against the runner's working directory.
 */
export function validateScriptPath(value: unknown): string {
  const example = "/home/alice/jobs/run.sh";
  if (typeof value === "string" && value.trim().startsWith("-")) {
    throw invalidInput(
      `Script path ${show(value)} starts with '-', which qsub would read as an option.`,
      `Prefix it with ./ (./${value.trim()}) or give the absolute path, e.g. ${example}.`,
    );
  }
  return maxLength(basicText(value, "Script path", example), 4096, "Script path", example);
}

/** A positive whole number (tracejob -n days, counts). */
export function validatePositiveInt(value: unknown, what: string, example: string): string {
  return validateWholeNumber(value, what, example, 1);
}

/**
 * A whole number from 0: a consumable count such as ngpus, where 0 is a
 * valid request (`select=1:ncpus=2:ngpus=0`).
 */
export function validateNonNegativeInt(value: unknown, what: string, example: string): string {
  return validateWholeNumber(value, what, example, 0);
}

function validateWholeNumber(value: unknown, what: string, example: string, min: 0 | 1): string {
  const n = typeof value === "number"
    ? value
    : typeof value === "string" && /^\d+$/.test(value)
    ? Number(value)
    : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw invalidInput(
      `${what} ${show(value)} is not a ${min === 1 ? "positive" : "non-negative"} whole number.`,
      `Use e.g. ${example}.`,
    );
  }
  return String(n);
}
