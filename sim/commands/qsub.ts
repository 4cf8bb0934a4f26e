/**
 * qsub: options (command line and `#PBS` directives, the command line
 * winning), the script (file, stdin or `-- command`), then one submit call.
 */

import { PBSE, SimError, type SubmitRequest } from "../model.ts";
import { getopt, type ParsedArgs } from "../argv.ts";
import { type CommandOutput, exitCodeOf, fail, ok, serverMessage } from "../errno.ts";
import { parsePbsDate } from "../pbsdate.ts";
import { splitWords } from "../shellwords.ts";
import { type CommandContext, connect, usageError, versionOutput } from "./context.ts";

const QSUB_OPTIONS = "+a:A:c:C:e:fhIj:J:k:l:m:M:N:o:p:P:q:r:R:S:u:v:VW:Xz";
const DEPEND_TYPES = new Set([
  "after",
  "afterok",
  "afternotok",
  "afterany",
  "before",
  "beforeok",
  "beforenotok",
  "beforeany",
  "on",
  "runone",
]);

/** Options gathered from one source (command line or directives). */
interface QsubOptions {
  request: Partial<SubmitRequest>;
  resources: Array<[string, string]>;
  variables: Array<[string, string]>;
  exportEnv: boolean;
  block: boolean;
  quietId: boolean;
  /** `-q queue@host` naming a host that is not our server. */
  foreignServer?: string;
}

class IllegalOption extends Error {
  constructor(readonly letter: string) {
    super(`illegal -${letter} value`);
  }
}

export function qsub(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, QSUB_OPTIONS);
  if (!parsed.ok) return usageError(ctx, parsed.message);

  let cli: QsubOptions;
  try {
    cli = collectOptions(parsed, ctx);
  } catch (error) {
    if (error instanceof IllegalOption) return usageError(ctx, error.message);
    throw error;
  }

  const script = loadScript(ctx, parsed.operands, ctx.args.includes("--"));
  if ("error" in script) return script.error;

  let merged = cli;
  try {
    merged = mergeOptions(collectOptions(directiveArgs(script.text), ctx), cli);
  } catch (error) {
    if (error instanceof IllegalOption) return usageError(ctx, `directive error: ${error.message}`);
    throw error;
  }

  if (merged.foreignServer !== undefined) {
    return fail(
      exitCodeOf(PBSE.BADHOST),
      `Unknown Host.\nqsub: cannot connect to server ${ctx.complex.server.name} (errno=${PBSE.BADHOST})\n`,
    );
  }
  connect(ctx);

  const request: SubmitRequest = {
    ...merged.request,
    name: merged.request.name ?? script.defaultName,
    resources: merged.resources,
    variables: [...clientVariables(ctx, merged.exportEnv), ...merged.variables],
    script: script.text,
    command: script.command,
    submitArguments: ctx.args.join(" "),
    workdir: ctx.workdir,
  };
  try {
    const job = ctx.complex.submit(ctx.caller, request);
    const stdout = merged.quietId ? "" : `${job.id}\n`;
    return merged.block ? waitForJob(ctx, job.id, stdout) : ok(stdout);
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    return fail(exitCodeOf(error.errno), `qsub: ${serverMessage(error)}\n`);
  }
}

// Options -------------------------------------------------------------------

function collectOptions(parsed: ParsedArgs, ctx: CommandContext): QsubOptions {
  const out: QsubOptions = {
    request: {},
    resources: [],
    variables: [],
    exportEnv: false,
    block: false,
    quietId: false,
  };
  for (const { letter, arg = "" } of parsed.options) applyOption(out, letter, arg, ctx);
  return out;
}

function applyOption(out: QsubOptions, letter: string, arg: string, ctx: CommandContext): void {
  const r = out.request;
  switch (letter) {
    case "a": {
      const when = parsePbsDate(arg, ctx.complex.now());
      if (when === undefined) throw new IllegalOption("a");
      r.executionTime = when;
      return;
    }
    case "A":
      r.account = arg;
      return;
    case "e":
      r.errorPath = arg;
      return;
    case "o":
      r.outputPath = arg;
      return;
    case "h":
      r.hold = true;
      return;
    case "j":
      if (!/^(oe|eo|n)$/.test(arg)) throw new IllegalOption("j");
      r.joinPath = arg;
      return;
    case "J":
      if (!/^\d+-\d+(:\d+)?(%\d+)?$/.test(arg)) throw new IllegalOption("J");
      r.arrayRange = arg;
      return;
    case "k":
      r.keepFiles = arg;
      return;
    case "l":
      for (const item of splitOutsideQuotes(arg)) out.resources = setResource(out.resources, item);
      return;
    case "m":
      r.mailPoints = arg;
      return;
    case "M":
      r.mailUsers = arg;
      return;
    case "N":
      if (!isValidJobName(arg)) throw new IllegalOption("N");
      r.name = arg;
      return;
    case "p": {
      const priority = Number(arg);
      if (!/^[+-]?\d+$/.test(arg) || priority < -1024 || priority > 1023) {
        throw new IllegalOption("p");
      }
      r.priority = priority;
      return;
    }
    case "q":
      applyDestination(out, arg, ctx);
      return;
    case "r":
      if (arg !== "y" && arg !== "n") throw new IllegalOption("r");
      r.rerunnable = arg === "y";
      return;
    case "v":
      out.variables.push(...parseVariableList(arg, ctx.env));
      return;
    case "V":
      out.exportEnv = true;
      return;
    case "W":
      applyW(out, arg);
      return;
    case "z":
      out.quietId = true;
      return;
    default:
      // -c, -C, -f, -I, -P, -R, -S, -u, -X: accepted, no effect in the simulator.
      return;
  }
}

function applyDestination(out: QsubOptions, destination: string, ctx: CommandContext): void {
  const [queue, host] = destination.split("@", 2);
  const { name, host: serverHost } = ctx.complex.server;
  if (host !== undefined && host !== name && host !== serverHost) out.foreignServer = host;
  if (queue) out.request.queue = queue;
}

/**
 * `-W depend=afterok:2.vm`, `-W block=true`; other -W attributes are accepted
 * and ignored. A comma item without `=` continues the previous value, so
 * `depend=afterok:A,afterany:B` is one depend value (capture qsub_depend_two_types).
 */
function applyW(out: QsubOptions, arg: string): void {
  const items: string[] = [];
  for (const item of splitOutsideQuotes(arg)) {
    if (item.indexOf("=") < 1 && items.length > 0) items[items.length - 1] += `,${item}`;
    else items.push(item);
  }
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq < 1) throw new IllegalOption("W");
    const [key, value] = [item.slice(0, eq), item.slice(eq + 1)];
    if (key === "depend") {
      if (!isValidDepend(value)) throw new IllegalOption("W");
      out.request.depend = value;
    } else if (key === "block") {
      out.block = value.toLowerCase() === "true";
    }
  }
}

function isValidDepend(value: string): boolean {
  return value.split(",").every((clause) => {
    const [type, ...ids] = clause.split(":");
    return DEPEND_TYPES.has(type) && ids.length > 0 && ids.every((id) => id !== "");
  });
}

/** PBS job names: printable ASCII without spaces, at most 236 characters. */
function isValidJobName(name: string): boolean {
  return name.length > 0 && name.length <= 236 && /^[\x21-\x7e]+$/.test(name);
}

function setResource(list: Array<[string, string]>, item: string): Array<[string, string]> {
  const eq = item.indexOf("=");
  if (eq < 1) throw new IllegalOption("l");
  const name = item.slice(0, eq);
  return [...list.filter(([n]) => n !== name), [name, item.slice(eq + 1)]];
}

/** Splits `a=1,b='x,y'` at commas outside quotes; quotes are kept. */
function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quote = "";
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === ",") {
      parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts.filter((p) => p !== "");
}

/**
 * `-v A=x,B='a,b',C=,D`: quotes are removed (`say "hi"` → `say hi`), a name
 * alone takes its value from the environment. Backslashes come out doubled
 * twice, as OpenPBS stores them (`C:\temp` → `C:\\\\temp`, qsub_env_backslash).
 */
export function parseVariableList(
  text: string,
  env: Record<string, string>,
): Array<[string, string]> {
  return splitOutsideQuotes(text).map((item) => {
    const eq = item.indexOf("=");
    if (eq < 0) return [item, escapeValue(env[item] ?? "")];
    return [item.slice(0, eq), escapeValue(item.slice(eq + 1).replace(/["']/g, ""))];
  });
}

function escapeValue(value: string): string {
  return value.replaceAll("\\", "\\\\\\\\");
}

function mergeOptions(directives: QsubOptions, cli: QsubOptions): QsubOptions {
  let resources = directives.resources;
  for (const [name, value] of cli.resources) resources = setResource(resources, `${name}=${value}`);
  return {
    request: { ...directives.request, ...cli.request },
    resources,
    variables: [...directives.variables, ...cli.variables],
    exportEnv: directives.exportEnv || cli.exportEnv,
    block: directives.block || cli.block,
    quietId: directives.quietId || cli.quietId,
    foreignServer: cli.foreignServer ?? directives.foreignServer,
  };
}

/**
 * `#PBS` lines before the first command of the script (blank lines and other
 * comments may come between), parsed like command-line options.
 */
function directiveArgs(script: string): ParsedArgs {
  const words: string[] = [];
  for (const line of script.split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("#PBS")) {
      words.push(...splitWords(trimmed.slice(4)));
    } else if (trimmed !== "" && !trimmed.startsWith("#")) {
      break;
    }
  }
  const parsed = getopt(words, QSUB_OPTIONS);
  if (!parsed.ok) throw new IllegalOption("directive");
  return parsed;
}

// Script --------------------------------------------------------------------

type LoadedScript = { text: string; defaultName: string; command?: string[] } | {
  error: CommandOutput;
};

function loadScript(ctx: CommandContext, operands: string[], commandForm: boolean): LoadedScript {
  if (commandForm) {
    if (operands.length === 0) return { error: usageError(ctx) };
    // The job is named STDIN, not after the program (capture qstat_cmdform_running).
    return { text: "", defaultName: "STDIN", command: operands };
  }
  if (operands.length > 1) return { error: usageError(ctx) };
  if (operands.length === 0) return { text: ctx.stdin ?? "", defaultName: "STDIN" };
  const read = ctx.readScript(operands[0]);
  if (read.kind === "missing") {
    return { error: fail(1, "qsub: script file:: No such file or directory\n") };
  }
  if (read.kind === "directory") return { error: fail(1, "qsub: script not a file\n") };
  return { text: read.text, defaultName: baseName(operands[0]) };
}

function baseName(path: string): string {
  return path.split("/").filter(Boolean).pop() ?? path;
}

/** The PBS_O_* variables the qsub client adds (the server adds PBS_O_QUEUE and PBS_O_HOST). */
function clientVariables(ctx: CommandContext, exportEnv: boolean): Array<[string, string]> {
  const env = ctx.env;
  const home = env.HOME ?? `/home/${ctx.caller.user}`;
  const base: Array<[string, string]> = [
    ["PBS_O_HOME", home],
    ["PBS_O_LANG", env.LANG ?? "C.UTF-8"],
    ["PBS_O_LOGNAME", env.LOGNAME ?? ctx.caller.user],
    ["PBS_O_PATH", env.PATH ?? "/opt/pbs/bin:/usr/bin:/bin"],
    ["PBS_O_SHELL", env.SHELL ?? "/bin/bash"],
    ["PBS_O_INTERACTIVE_AUTH_METHOD", "resvport"],
    ["PBS_O_INTERACTIVE_ENCRYPT_METHOD", ""],
    ["PBS_O_WORKDIR", ctx.workdir],
    ["PBS_O_SYSTEM", "Linux"],
  ];
  if (!exportEnv) return base;
  const exported = Object.entries(env).map(([k, v]): [string, string] => [k, escapeValue(v)]);
  return [...base, ...exported];
}

/**
 * `-W block=true`: qsub waits for the job and exits with its Exit_status.
 * The simulator advances its virtual clock until the job leaves the queue.
 */
function waitForJob(ctx: CommandContext, id: string, stdout: string): CommandOutput {
  const { complex } = ctx;
  for (let step = 0; step < 100_000; step++) {
    let job;
    try {
      job = complex.findJob(id, { history: true });
    } catch {
      return ok(stdout);
    }
    if (job.state === "F" || job.state === "X") {
      return { stdout, stderr: "", code: job.exitStatus ?? 0 };
    }
    complex.advance(10);
  }
  return ok(stdout);
}
