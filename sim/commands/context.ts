/**
 * What every command module receives, and small helpers they share: job id
 * normalisation, the `--version` answer, usage errors, and connecting (which
 * fails exactly like PBS when the simulated server is down).
 */

import type { Caller, ComplexApi } from "../model.ts";
import type { JsonFlavour } from "../format/attrs.ts";
import { type CommandOutput, fail, ok } from "../errno.ts";
import { USAGE } from "./usage.ts";
import { parseJobId } from "./option_syntax.ts";

export type ScriptRead =
  | { kind: "file"; text: string }
  | { kind: "missing" }
  | { kind: "directory" };

export interface CommandContext {
  complex: ComplexApi;
  caller: Caller;
  /** Basename of argv[0]: `qstat`, `qsub`, ... */
  command: string;
  /** argv without the command name. */
  args: readonly string[];
  stdin?: string;
  /** The caller's environment (PBS_TZID for pbs_rsub, -V for qsub). */
  env: Record<string, string>;
  /** The caller's working directory (PBS_O_WORKDIR). */
  workdir: string;
  jsonFlavour: JsonFlavour;
  readScript(path: string): ScriptRead;
}

export type Command = (ctx: CommandContext) => CommandOutput;

/**
 * Thrown by `connect` when the server is down; the dispatcher turns it into
 * the client's `Connection refused` output. `stdout` carries what the client
 * had already printed (qstat -F json prints its empty envelope).
 */
export class ServerDown extends Error {
  constructor(readonly stdout = "") {
    super("server down");
    this.name = "ServerDown";
  }
}

/** Every PBS client answers `--version` (as its only argument) the same way. */
export function versionOutput(ctx: CommandContext): CommandOutput | undefined {
  if (ctx.args.length === 1 && ctx.args[0] === "--version") {
    return ok(`pbs_version = ${ctx.complex.server.version}\n`);
  }
  return undefined;
}

export function connect(ctx: CommandContext, stdoutSoFar = ""): void {
  if (!ctx.complex.server.up) throw new ServerDown(stdoutSoFar);
}

/** `qsub: illegal -N value` + usage, exit 2 (the usage-error convention of most clients). */
export function usageError(ctx: CommandContext, message?: string, code = 2): CommandOutput {
  const first = message === undefined ? "" : `${ctx.command}: ${message}\n`;
  return fail(code, first + (USAGE[ctx.command] ?? ""));
}

/**
 * Completes a job id as PBS clients do (`12` → `12.vm`, `5[]` → `5[].vm`,
 * `12.vm@vm` → `12.vm`). Undefined when it is not a job id (`parse_jobid`)
 * or names another server (`nonexistent.vm`, `1.nosuchhost`: `get_server`
 * cannot resolve it): "illegally formed job identifier".
 */
export function normaliseJobId(raw: string, complex: ComplexApi): string | undefined {
  const parts = parseJobId(raw);
  if (!parts) return undefined;
  const { name, host } = complex.server;
  for (const server of [parts.parentServer, parts.currentServer]) {
    if (server !== undefined && !isOurServer(server, name, host)) return undefined;
  }
  return `${parts.sequence}${parts.array}.${name}`;
}

function isOurServer(suffix: string, name: string, host: string): boolean {
  const bare = suffix.split(":")[0];
  return bare === name || bare === host || bare.startsWith(`${name}.`);
}

/** `alice@localhost` → `alice`. */
export function userPart(owner: string): string {
  return owner.split("@")[0];
}
