/**
 * Commands acting on a list of job ids: qdel, qhold, qrls, qalter, qmove,
 * qorder, qsig, qrerun, qrun, qmsg. Success prints nothing; each failing id
 * gets one stderr line and the exit code is that of the last failure.
 */

import { type AlterRequest, PBSE, SimError } from "../model.ts";
import { getopt, has, lastArg } from "../argv.ts";
import { type CommandOutput, exitCodeOf, jobOpLine, serverMessage } from "../errno.ts";
import { parsePbsDate } from "../pbsdate.ts";
import {
  type CommandContext,
  connect,
  normaliseJobId,
  usageError,
  versionOutput,
} from "./context.ts";

/** Runs `action` per id, collecting PBS's per-id error lines. */
function forEachJob(
  ctx: CommandContext,
  rawIds: readonly string[],
  action: (id: string) => void,
  exitOverride?: number,
): CommandOutput {
  let stderr = "";
  let code = 0;
  for (const raw of rawIds) {
    const id = normaliseJobId(raw, ctx.complex);
    if (id === undefined) {
      stderr += `${ctx.command}: illegally formed job identifier: ${raw}\n`;
      code = exitOverride ?? 1;
      continue;
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

/** Shared front part: --version, getopt, at least `minOperands` operands, connect. */
function prepare(ctx: CommandContext, optstring: string, minOperands = 1) {
  const version = versionOutput(ctx);
  if (version) return { done: version };
  const parsed = getopt(ctx.args, optstring);
  if (!parsed.ok) return { done: usageError(ctx, parsed.message) };
  if (parsed.operands.length < minOperands) return { done: usageError(ctx) };
  return { parsed };
}

export function qdel(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "W:x");
  if (done) return done;
  const w = lastArg(parsed, "W");
  connect(ctx);
  const options = { force: w === "force", purgeHistory: has(parsed, "x") };
  return forEachJob(ctx, parsed.operands, (id) => ctx.complex.deleteJob(ctx.caller, id, options));
}

const HOLD_TYPES = /^[uosnp]+$/;

function holdCommand(
  ctx: CommandContext,
  apply: (id: string, holds: string) => void,
): CommandOutput {
  const { done, parsed } = prepare(ctx, "h:");
  if (done) return done;
  const holds = lastArg(parsed, "h") ?? "u";
  if (!HOLD_TYPES.test(holds)) return usageError(ctx, "illegal -h value");
  connect(ctx);
  return forEachJob(ctx, parsed.operands, (id) => apply(id, holds));
}

export function qhold(ctx: CommandContext): CommandOutput {
  return holdCommand(ctx, (id, holds) => ctx.complex.holdJob(ctx.caller, id, holds));
}

export function qrls(ctx: CommandContext): CommandOutput {
  return holdCommand(ctx, (id, holds) => ctx.complex.releaseJob(ctx.caller, id, holds));
}

export function qalter(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "a:A:c:e:h:j:k:l:m:M:N:o:p:P:r:R:S:u:W:");
  if (done) return done;
  const request: AlterRequest = {};
  for (const { letter, arg = "" } of parsed.options) {
    const problem = applyAlterOption(ctx, request, letter, arg);
    if (problem) return usageError(ctx, problem);
  }
  connect(ctx);
  return forEachJob(ctx, parsed.operands, (id) => ctx.complex.alterJob(ctx.caller, id, request));
}

/** Fills `request` from one qalter option; returns PBS's complaint when the value is illegal. */
function applyAlterOption(
  ctx: CommandContext,
  request: AlterRequest,
  letter: string,
  arg: string,
): string | undefined {
  switch (letter) {
    case "l":
      request.resources = [
        ...(request.resources ?? []),
        ...arg.split(",").map((item): [string, string] => {
          const eq = item.indexOf("=");
          return eq < 0 ? [item, ""] : [item.slice(0, eq), item.slice(eq + 1)];
        }),
      ];
      return undefined;
    case "N":
      if (!/^[\x21-\x7e]{1,236}$/.test(arg)) return "illegal -N value";
      request.name = arg;
      return undefined;
    case "p": {
      const priority = Number(arg);
      if (!/^[+-]?\d+$/.test(arg) || priority < -1024 || priority > 1023) return "illegal -p value";
      request.priority = priority;
      return undefined;
    }
    case "A":
      request.account = arg;
      return undefined;
    case "a": {
      const when = parsePbsDate(arg, ctx.complex.now());
      if (when === undefined) return "illegal -a value";
      request.executionTime = when;
      return undefined;
    }
    case "h":
      if (!HOLD_TYPES.test(arg)) return "illegal -h value";
      request.holds = arg;
      return undefined;
    case "W":
      if (arg.startsWith("depend=")) request.depend = arg.slice("depend=".length);
      return undefined;
    default:
      return undefined;
  }
}

export function qmove(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "", 2);
  if (done) return done;
  const [destination, ...ids] = parsed.operands;
  connect(ctx);
  const queue = destination.split("@")[0];
  return forEachJob(ctx, ids, (id) => ctx.complex.moveJob(ctx.caller, id, queue));
}

/** qorder names both jobs in its errors: `Unknown Job Id 32.vm or 99999.vm`. */
export function qorder(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "", 2);
  if (done) return done;
  if (parsed.operands.length !== 2) return usageError(ctx);
  const ids = parsed.operands.map((raw) => normaliseJobId(raw, ctx.complex));
  const malformed = parsed.operands.find((_, i) => ids[i] === undefined);
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
  connect(ctx);
  return forEachJob(ctx, parsed.operands, (id) => ctx.complex.signalJob(ctx.caller, id, signal));
}

export function qrerun(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "W:");
  if (done) return done;
  connect(ctx);
  return forEachJob(ctx, parsed.operands, (id) => ctx.complex.rerunJob(ctx.caller, id));
}

/** qrun exits 2 on every error (qrun_user, qrun_root). */
export function qrun(ctx: CommandContext): CommandOutput {
  const { done, parsed } = prepare(ctx, "aH:");
  if (done) return done;
  connect(ctx);
  return forEachJob(ctx, parsed.operands, (id) => ctx.complex.runJob(ctx.caller, id), 2);
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
  connect(ctx);
  return forEachJob(ctx, ids, (id) => {
    const job = ctx.complex.findJob(id);
    const privileged = ctx.complex.privilegeOf(ctx.caller.user) !== "user";
    if (job.user !== ctx.caller.user && !privileged) throw new SimError(PBSE.PERM);
    if (job.state !== "R") throw new SimError(PBSE.BADSTATE);
  });
}
