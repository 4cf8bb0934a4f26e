/** tracejob, qterm and pbs_server. */

import { PBSE, SimError, type SimJob } from "../model.ts";
import { getopt, lastArg } from "../argv.ts";
import { type CommandOutput, fail, ok, pbsMessage } from "../errno.ts";
import { type CommandContext, connect, normaliseJobId, versionOutput } from "./context.ts";
import { USAGE } from "./usage.ts";

/**
 * tracejob reads PBS's log files, not the server, so it works while the
 * server is down. The simulator keeps no log: the lines are synthesised from
 * the job's recorded times (queued, run, obit, history), in PBS's layout
 * `MM/DD/YYYY HH:MM:SS  S    message`.
 */
export function tracejob(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "acf:lmn:p:svw:z");
  if (!parsed.ok || parsed.operands.length === 0) return fail(1, "", USAGE.tracejob);
  const days = Number(lastArg(parsed, "n") ?? "1");
  let stdout = "";
  let stderr = "";
  let code = 0;
  for (const raw of parsed.operands) {
    const id = normaliseJobId(raw, ctx.complex) ?? raw;
    const job = findAnyJob(ctx, id);
    const lines = job
      ? traceLines(ctx, job).filter(([t]) => t >= ctx.complex.now() - days * 86_400)
      : [];
    if (lines.length === 0) {
      stderr += `\ntracejob: Couldn't find Job Id ${id} in logs of past ${days} day${
        days === 1 ? "" : "s"
      }\n\n`;
      code = 1;
      continue;
    }
    stdout += `\nJob: ${id}\n\n${
      lines.map(([t, source, text]) => `${logTime(t)}  ${source}    ${text}\n`).join("")
    }`;
  }
  return { stdout, stderr, code };
}

function findAnyJob(ctx: CommandContext, id: string): SimJob | undefined {
  try {
    return ctx.complex.findJob(id, { history: true });
  } catch (error) {
    if (error instanceof SimError) return undefined;
    throw error;
  }
}

type TraceLine = [number, string, string];

function traceLines(ctx: CommandContext, job: SimJob): TraceLine[] {
  const lines: TraceLine[] = [
    [job.ctime, "S", `enqueuing into ${job.queue}, state Q hop 1`],
    [
      job.ctime,
      "S",
      `Job Queued at request of ${job.owner}, owner = ${job.owner}, job name = ${job.name}, queue = ${job.queue}`,
    ],
  ];
  if (job.stime !== undefined) {
    lines.push([job.stime, "L", "Job run"]);
    lines.push([
      job.stime,
      "S",
      `Job Run at request of Scheduler@${ctx.complex.server.host} on exec_vnode ${
        job.execVnode ?? ""
      }`,
    ]);
    if (job.sessionId !== undefined) {
      lines.push([job.stime, "M", `Started, pid = ${job.sessionId}`]);
    }
  }
  if (job.obittime !== undefined) {
    lines.push([job.obittime, "S", `Obit received momhop:1 serverhop:1 state:R substate:42`]);
    if (job.exitStatus !== undefined) {
      lines.push([job.obittime, "S", `Exit_status=${job.exitStatus}`]);
    }
  }
  if (job.historyTime !== undefined) {
    lines.push([job.historyTime, "S", `dequeuing from ${job.queue}, state F`]);
  }
  return lines.sort((a, b) => a[0] - b[0]);
}

function logTime(epoch: number): string {
  const d = new Date(epoch * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getMonth() + 1)}/${two(d.getDate())}/${d.getFullYear()} ${two(d.getHours())}:${
    two(d.getMinutes())
  }:${two(d.getSeconds())}`;
}

function qtermOptionsFit(options: ReadonlyArray<{ letter: string; arg?: string }>): boolean {
  let [secondary, idle, mom] = ["", false, false];
  let type: string | undefined;
  for (const { letter, arg } of options) {
    if (letter === "t") type = arg;
    if (letter === "m") mom = true;
    if (letter === "f" && (idle || secondary === "F")) return false;
    if (letter === "F" && (idle || secondary === "f" || mom)) return false;
    if (letter === "i" && secondary) return false;
    if (letter === "f" || letter === "F") secondary = letter;
    if (letter === "i") idle = true;
  }
  return type === undefined || ["delay", "immediate", "quick"].includes(type);
}

/**
 * qterm (`src/cmds/qterm.c` `main`): options t:smfFi; `-t` delay, immediate
 * or quick; `-f` not after -i or -F, `-F` not after -i, -f or -m, `-i` not
 * after -f/-F; otherwise the usage, exit 1. Managers only; every refusal
 * exits 2 (`qterm: Unauthorized Request  `).
 */
export function qterm(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "t:smfFi");
  if (!parsed.ok) return fail(1, `qterm: ${parsed.message}\n${USAGE.qterm}`);
  if (!qtermOptionsFit(parsed.options)) return fail(1, USAGE.qterm);
  connect(ctx);
  try {
    ctx.complex.stopServer(ctx.caller);
    return ok();
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    return fail(2, `qterm: ${pbsMessage(error.errno)} \n`);
  }
}

/** pbs_server (root only) starts a stopped server again. */
export function pbsServer(ctx: CommandContext): CommandOutput {
  if (ctx.caller.user !== "root") return fail(1, "pbs_server: Must be run by root\n");
  if (ctx.complex.server.up) return fail(1, "pbs_server: another server is already running\n");
  try {
    ctx.complex.startServer(ctx.caller);
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    return fail(1, `pbs_server: ${pbsMessage(error.errno ?? PBSE.SYSTEM)}\n`);
  }
  const line =
    `Connecting to PBS dataservice...connected to PBS dataservice@${ctx.complex.server.host}\n`;
  return ok(line + line);
}
