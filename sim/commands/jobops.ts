/**
 * Commands acting on a list of job ids: qdel, qhold, qrls, qalter, qmove,
 * qorder, qsig, qrerun, qrun, qmsg. Success prints nothing; each failing id
 * gets one stderr line and the exit code is that of the last failure.
 */

import { type AlterRequest, PBSE, SimError } from "../model.ts";
import { allArgs, getopt, has, lastArg } from "../argv.ts";
import {
  type CommandOutput,
  exitCodeOf,
  fail,
  jobOpLine,
  serverDownOutput,
  serverMessage,
} from "../errno.ts";
import { parsePbsDate } from "../pbsdate.ts";
import {
  type CommandContext,
  connect,
  normaliseJobId,
  ServerDown,
  usageError,
  versionOutput,
} from "./context.ts";
import { type AttrCheck, attributeRefusal, isHoldList, isPriority } from "./job_attrs.ts";
import { parseDestination, parseEqualString, splitResources } from "./option_syntax.ts";
import { USAGE } from "./usage.ts";

/**
 * Runs `action` per id, collecting PBS's per-id error lines: a malformed id
 * is `illegally formed job identifier` (exit 1), a refused request the
 * server's message (exit pbs_errno's low byte); the exit status is the last
 * failure's, a later success does not clear it (`main` of qhold.c, qrls.c,
 * qalter.c, qmove.c, qsig.c: `any_failed`). `beforeFirstRequest` is the
 * client library's attribute check, run once, at the first well-formed id:
 * a refusal ends the command there (`handle_attribute_errors`). Each id
 * connects on its own: with the server down every well-formed id gets the
 * client's `cannot connect` lines.
 */
function forEachJob(
  ctx: CommandContext,
  rawIds: readonly string[],
  action: (id: string) => void,
  options: {
    exitOverride?: number;
    beforeFirstRequest?: (id: string) => CommandOutput | undefined;
  } = {},
): CommandOutput {
  const { exitOverride, beforeFirstRequest } = options;
  let stderr = "";
  let code = 0;
  let requested = false;
  for (const raw of rawIds) {
    const id = normaliseJobId(raw, ctx.complex);
    if (id === undefined) {
      stderr += malformedLine(ctx, raw);
      code = exitOverride ?? 1;
      continue;
    }
    const down = connectionFailure(ctx);
    if (down) {
      stderr += down.stderr;
      code = down.code;
      continue;
    }
    if (!requested) {
      requested = true;
      const refused = beforeFirstRequest?.(id);
      if (refused) return { ...refused, stderr: stderr + refused.stderr };
    }
    try {
      action(id);
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      stderr += jobOpLine(ctx.command, error, id);
      code = exitOverride ?? exitCodeOf(error.errno);
    }
  }
  return { stdout: "", stderr, code };
}

/** The client's output when it cannot connect (`cnt2server` failing), else undefined. */
function connectionFailure(ctx: CommandContext): CommandOutput | undefined {
  try {
    connect(ctx);
    return undefined;
  } catch (error) {
    if (!(error instanceof ServerDown)) throw error;
    return serverDownOutput({ command: ctx.command, server: ctx.complex.server.name });
  }
}

function malformedLine(ctx: CommandContext, raw: string): string {
  return `${ctx.command}: illegally formed job identifier: ${raw}\n`;
}

/** Shared front part: --version, getopt, at least `minOperands` operands. */
function prepare(ctx: CommandContext, optstring: string, minOperands = 1) {
  const version = versionOutput(ctx);
  if (version) return { done: version };
  const parsed = getopt(ctx.args, optstring);
  if (!parsed.ok) return { done: usageError(ctx, parsed.message) };
  if (parsed.operands.length < minOperands) return { done: usageError(ctx) };
  return { parsed };
}

/**
 * qdel (`src/cmds/qdel.c` `main`, `group_jobs_by_cluster`,
 * `process_deljobstat`): `-W force`, `-W suppress_email=N` or a bare number
 * (an old delay, ignored); anything else is `illegal -W value` + usage, exit
 * 2. Malformed ids are reported first, before the one delete request; the
 * exit status is the last refused id's pbs_errno, else 1 if an id was
 * malformed.
 */
export function qdel(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "W:x");
  if (!parsed.ok) return usageError(ctx, parsed.message);
  let force = false;
  let badW = "";
  for (const { letter, arg = "" } of parsed.options) {
    if (letter !== "W") continue;
    if (arg === "force") force = true;
    else if (!isQdelWValue(arg)) badW += "qdel: illegal -W value\n";
  }
  if (badW || parsed.operands.length === 0) {
    return { stdout: "", stderr: badW + USAGE.qdel, code: 2 };
  }
  const ids: string[] = [];
  let stderr = "";
  for (const raw of parsed.operands) {
    const id = normaliseJobId(raw, ctx.complex);
    if (id === undefined) stderr += malformedLine(ctx, raw);
    else ids.push(id);
  }
  let code = stderr ? 1 : 0;
  if (ids.length === 0) return { stdout: "", stderr, code };
  const down = connectionFailure(ctx);
  if (down) return { ...down, stderr: stderr + down.stderr };
  const options = { force, purgeHistory: has(parsed, "x") };
  const deleted = forEachJob(ctx, ids, (id) => ctx.complex.deleteJob(ctx.caller, id, options));
  if (deleted.code !== 0) code = deleted.code;
  return { stdout: "", stderr: stderr + deleted.stderr, code };
}

/** `suppress_email=N` (any value: atol) or digits only. */
function isQdelWValue(arg: string): boolean {
  if (arg === "") return false;
  const pairs = parseEqualString(arg);
  if (pairs?.length && pairs[0][0] === "suppress_email") return true;
  return /^\d+$/.test(arg);
}

/**
 * `-h` after leading blanks. qhold (`src/cmds/qhold.c` `main`) refuses only
 * an empty list itself; the client library then refuses letters other than
 * u/o/s/p/n and `n` or `p` combined (`verify_value_hold`) at the first
 * well-formed id: `illegal -h value` + usage, exit 2.
 */
export function qhold(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "h:");
  if (done) return done;
  const holds = allArgs(parsed, "h").map((h) => h.trimStart());
  if (holds.some((h) => h === "")) return usageError(ctx, "illegal -h value");
  const hold = holds.at(-1) ?? "u";
  return forEachJob(ctx, parsed.operands, (id) => ctx.complex.holdJob(ctx.caller, id, hold), {
    beforeFirstRequest: () => isHoldList(hold) ? undefined : usageError(ctx, "illegal -h value"),
  });
}

/**
 * qrls (`src/cmds/qrls.c` `main`) checks `-h` itself: letters u/o/s/p/n only,
 * `n` alone; otherwise `illegal -h value` + usage, exit 2. `p` with other
 * letters passes the client but not its library (`verify_value_hold`): each
 * id is answered `Illegal attribute or resource value ID` (exit 166).
 */
export function qrls(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "h:");
  if (done) return done;
  const holds = allArgs(parsed, "h").map((h) => h.trimStart());
  const clientRefuses = (h: string) =>
    h === "" || !/^[uospn]+$/.test(h) || (h.includes("n") && h !== "n".repeat(h.length));
  let complaints = "";
  for (const h of holds) {
    if (clientRefuses(h)) complaints += "qrls: illegal -h value\n";
  }
  if (complaints) return { stdout: "", stderr: complaints + USAGE.qrls, code: 2 };
  const hold = holds.at(-1) ?? "u";
  return forEachJob(ctx, parsed.operands, (id) => {
    if (!isHoldList(hold)) throw new SimError(PBSE.BADATVAL);
    ctx.complex.releaseJob(ctx.caller, id, hold);
  });
}

/**
 * qalter (`src/cmds/qalter.c` `main`): the client itself refuses `-a` that
 * `cvtdate` cannot read, `-c u`, `-r` other than y/n, an empty or malformed
 * `-W` (`parse_equal_string`) and a malformed `-l`, with `illegal -X value`
 * + usage, exit 2, before any request. Values its library refuses
 * (`job_attrs.ts`) end the command at the first well-formed id.
 */
export function qalter(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "a:A:c:e:h:j:k:l:m:M:N:o:p:P:r:R:S:u:W:", 0);
  if (done) return done;
  const request: AlterRequest = {};
  const verify: AttrCheck[] = [];
  let complaints = "";
  for (const { letter, arg = "" } of parsed.options) {
    const value = "chmpW".includes(letter) ? arg.trimStart() : arg;
    complaints += applyAlterOption(ctx, request, verify, letter, value) ?? "";
  }
  if (complaints || parsed.operands.length === 0) {
    return { stdout: "", stderr: complaints + USAGE.qalter, code: 2 };
  }
  return forEachJob(ctx, parsed.operands, (id) => ctx.complex.alterJob(ctx.caller, id, request), {
    beforeFirstRequest: (id) => attributeRefusal(ctx, verify, id),
  });
}

/**
 * Fills `request` from one qalter option and queues the values the client
 * library checks; returns the client's complaint when it refuses the value.
 */
function applyAlterOption(
  ctx: CommandContext,
  request: AlterRequest,
  verify: AttrCheck[],
  letter: string,
  arg: string,
): string | undefined {
  switch (letter) {
    case "a": {
      const when = parsePbsDate(arg, ctx.complex.now());
      if (when === undefined) return illegal(letter);
      request.executionTime = when;
      return undefined;
    }
    case "c":
      if (arg === "u") return illegal(letter);
      break;
    case "r":
      return arg === "y" || arg === "n" ? undefined : illegal(letter);
    case "l": {
      const items = splitResources(arg, "qalter");
      if ("error" in items) return items.error;
      request.resources = [...(request.resources ?? []), ...items.pairs];
      for (const [resource, value] of items.pairs) verify.push({ letter, value, resource });
      return undefined;
    }
    case "W": {
      const pairs = arg === "" ? undefined : parseEqualString(arg);
      if (!pairs) return illegal(letter);
      for (const [key, value] of pairs) {
        if (key === "depend") request.depend = value;
        verify.push({ letter: "W", value, attribute: key });
      }
      return undefined;
    }
    case "N":
      request.name = arg;
      break;
    case "p":
      if (isPriority(arg)) request.priority = Number(arg);
      break;
    case "A":
      request.account = arg;
      break;
    case "h":
      request.holds = arg;
      break;
  }
  verify.push({ letter, value: arg });
  return undefined;
}

function illegal(letter: string): string {
  return `qalter: illegal -${letter} value\n`;
}

/**
 * qmove (`src/cmds/qmove.c` `main`) takes no options: `qmove DEST ID...`,
 * fewer than two operands is the usage (exit 2); a destination
 * `parse_destination_id` cannot read is `illegally formed destination: DEST`
 * (exit 2).
 */
export function qmove(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  if (ctx.args.length < 2) return usageError(ctx);
  const [destination, ...ids] = ctx.args;
  const parsed = parseDestination(destination);
  if (!parsed) return fail(2, `qmove: illegally formed destination: ${destination}\n`);
  return forEachJob(ctx, ids, (id) => ctx.complex.moveJob(ctx.caller, id, parsed.queue));
}

/** qorder names both jobs in its errors: `Unknown Job Id 32.vm or 99999.vm`. */
export function qorder(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  // qorder.c `main` takes no options: exactly two operands, else the usage.
  if (ctx.args.length !== 2) return usageError(ctx);
  const ids = ctx.args.map((raw) => normaliseJobId(raw, ctx.complex));
  const malformed = ctx.args.find((_, i) => ids[i] === undefined);
  if (malformed !== undefined) {
    return {
      stdout: "",
      stderr: `qorder: illegally formed job identifier: ${malformed}\n`,
      code: 1,
    };
  }
  connect(ctx);
  const [first, second] = ids as [string, string];
  try {
    ctx.complex.orderJobs(ctx.caller, first, second);
    return { stdout: "", stderr: "", code: 0 };
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    return {
      stdout: "",
      stderr: `qorder: ${serverMessage(error)} ${first} or ${second}\n`,
      code: exitCodeOf(error.errno),
    };
  }
}

export function qsig(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "s:");
  if (done) return done;
  const signal = lastArg(parsed, "s") ?? "SIGTERM";
  return forEachJob(ctx, parsed.operands, (id) => ctx.complex.signalJob(ctx.caller, id, signal));
}

/** qrerun (`src/cmds/qrerun.c` `main`): `-W` takes only `force`; anything else is the usage, exit 2. */
export function qrerun(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "W:");
  if (done) return done;
  if (allArgs(parsed, "W").some((w) => w !== "force")) return usageError(ctx);
  return forEachJob(ctx, parsed.operands, (id) => ctx.complex.rerunJob(ctx.caller, id));
}

/**
 * qrun (`src/cmds/qrun.c` `main`): a bad option, an empty `-H` (`illegal -H
 * value`) or no id is the usage, exit 1; a malformed id exits 1; a refused
 * run exits 2 (qrun_user, qrun_root).
 */
export function qrun(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "aH:");
  if (!parsed.ok) return usageError(ctx, parsed.message, 1);
  const emptyH = allArgs(parsed, "H").filter((h) => h === "").length;
  if (emptyH || parsed.operands.length === 0) {
    return fail(1, "qrun: illegal -H value\n".repeat(emptyH) + USAGE.qrun);
  }
  let stderr = "";
  let code = 0;
  for (const raw of parsed.operands) {
    const id = normaliseJobId(raw, ctx.complex);
    if (id === undefined) {
      stderr += malformedLine(ctx, raw);
      code = 1;
      continue;
    }
    const ran = forEachJob(ctx, [id], (id) => ctx.complex.runJob(ctx.caller, id), {
      exitOverride: 2,
    });
    stderr += ran.stderr;
    if (ran.code) code = ran.code;
  }
  return { stdout: "", stderr, code };
}

/**
 * qmsg appends a line to the job's output; the engine has no operation for
 * it, so the front checks what PBS checks (the job exists, caller may touch
 * it) and otherwise does nothing.
 */
export function qmsg(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "EO", 2);
  if (done) return done;
  const [, ...ids] = parsed.operands;
  return forEachJob(ctx, ids, (id) => {
    const job = ctx.complex.findJob(id);
    const privileged = ctx.complex.privilegeOf(ctx.caller.user) !== "user";
    if (job.user !== ctx.caller.user && !privileged) throw new SimError(PBSE.PERM);
    if (job.state !== "R") throw new SimError(PBSE.BADSTATE);
  });
}
