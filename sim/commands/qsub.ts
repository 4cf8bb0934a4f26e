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
import { type AttrCheck, attributeRefusal, isPriority } from "./job_attrs.ts";
import { parseDestination, parseEqualString, splitResources } from "./option_syntax.ts";
import { USAGE } from "./usage.ts";

const QSUB_OPTIONS = "+a:A:c:C:e:fhIj:J:k:l:m:M:N:o:p:P:q:r:R:S:u:v:VW:Xz";

/** The warnings and errors `src/cmds/qsub.c` defines for option conflicts. */
const NO_RERUN_ARRAY = "qsub:  cannot submit non-rerunable Array Job\n";
const INTER_ARRAY = "qsub: interactive and array job submission cannot be used together\n";
const MULTIPLE_MAX_RUN = "qsub: multiple max_run_subjobs values found\n";
const BAD_W = "qsub: illegal -W value\n";

/** Which pass of `process_opts` an option comes from: the command line wins over directives. */
type Pass = "cli" | "directive";

/** State `process_opts` keeps across the command line and the directives. */
interface ProcessState {
  /** `-r` as given so far (`roptarg`, default y). */
  rerun: string;
  /** `-J` given (`J_opt`). */
  array: boolean;
  /** `-I` or `-W interactive=true` given. */
  interactive: boolean;
  /** A `max_run_subjobs` value was given (`%` of -J or -W). */
  maxRun: boolean;
}

/** Options gathered from one pass (command line or directives). */
interface QsubOptions {
  request: Partial<SubmitRequest>;
  resources: Array<[string, string]>;
  variables: Array<[string, string]>;
  exportEnv: boolean;
  block: boolean;
  quietId: boolean;
  /** `-q queue[@server]`, parsed after the script (`parse_destination_id`). */
  destination?: string;
  /** Option letters (and `W:key`) this pass set: a directive does not override them. */
  set: Set<string>;
  /** Values the client library checks at submission (`job_attrs.ts`), in order. */
  verify: AttrCheck[];
  /** `process_opts` complaints; any makes qsub print them and exit. */
  complaints: string[];
  /** A failure that ends qsub at once (exit 1), after the complaints so far. */
  fatal?: string;
  /** `-C`: the directive prefix. */
  directivePrefix?: string;
}

function emptyOptions(): QsubOptions {
  return {
    request: {},
    resources: [],
    variables: [],
    exportEnv: false,
    block: false,
    quietId: false,
    set: new Set(),
    verify: [],
    complaints: [],
  };
}

export function qsub(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, QSUB_OPTIONS);
  if (!parsed.ok) return usageError(ctx, parsed.message);

  const state: ProcessState = { rerun: "y", array: false, interactive: false, maxRun: false };
  const cli = collectOptions(parsed, ctx, state);
  if (cli.fatal) return fail(1, cli.complaints.join("") + cli.fatal);
  if (cli.complaints.length || !operandsFit(ctx.args, parsed.operands)) {
    return fail(2, cli.complaints.join("") + USAGE.qsub);
  }
  const afterPass = checkAfterPass(cli, "cli", state);
  if (afterPass) return afterPass;

  const script = loadScript(ctx, parsed.operands, ctx.args.includes("--"));
  if ("error" in script) return script.error;

  const directives = directiveOptions(ctx, script.text, cli, state);
  if ("error" in directives) return directives.error;
  const merged = mergeOptions(directives, cli);

  const destination = parseDestination(merged.destination ?? "");
  if (!destination) {
    return fail(2, `qsub: illegally formed destination: ${merged.destination}\n`);
  }
  const { name, host } = ctx.complex.server;
  if (destination.server !== undefined && ![name, host].includes(destination.server)) {
    return fail(
      exitCodeOf(PBSE.BADHOST),
      `Unknown Host.\nqsub: cannot connect to server ${name} (errno=${PBSE.BADHOST})\n`,
    );
  }
  connect(ctx);

  // Without -N the script's base name is the name, checked like one (`read_job_script`).
  const jobName = merged.request.name ?? script.defaultName;
  const checks = merged.set.has("N")
    ? merged.verify
    : [...cli.verify, { letter: "N", value: jobName }, ...directives.verify];
  const refused = attributeRefusal(ctx, checks);
  if (refused) return refused;

  const request: SubmitRequest = {
    ...merged.request,
    queue: destination.queue || undefined,
    name: jobName,
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

/**
 * After the options (`process_opts`): a script is the last word; `--` must
 * be followed by a program (`main` also refuses a script together with
 * `-- program`, which getopt's permutation would reveal).
 */
function operandsFit(args: readonly string[], operands: string[]): boolean {
  const dashes = args.indexOf("--");
  if (dashes >= 0) {
    return dashes < args.length - 1 && operands.length === args.length - dashes - 1;
  }
  return operands.length <= 1;
}

/**
 * The checks at the end of each `process_opts` pass: `-X` needs `-I`
 * (command line only), `-m j` needs `-J`; both exit 1 without the usage.
 */
function checkAfterPass(
  options: QsubOptions,
  pass: Pass,
  state: ProcessState,
): CommandOutput | undefined {
  if (pass === "cli" && options.set.has("X") && !state.interactive) {
    return fail(1, "qsub: X11 Forwarding possible only for interactive jobs\n");
  }
  const mail = options.request.mailPoints;
  if (!state.array && mail !== undefined && mail.includes("j")) {
    return fail(1, "qsub: mail option 'j' can not be used without array job\n");
  }
  return undefined;
}

// Options -------------------------------------------------------------------

function collectOptions(parsed: ParsedArgs, ctx: CommandContext, state: ProcessState): QsubOptions {
  const out = emptyOptions();
  const pc: PassContext = { ctx, pass: "cli", state, cliSet: new Set() };
  for (const { letter, arg = "" } of parsed.options) {
    applyOption(out, letter, arg, pc);
    if (out.fatal) break;
  }
  return out;
}

interface PassContext {
  ctx: CommandContext;
  pass: Pass;
  state: ProcessState;
  /** What the command line set (`if_cmd_line`): a directive leaves it alone. */
  cliSet: ReadonlySet<string>;
}

/** Letters whose value the client library checks; the rest are taken as given. */
const VERIFIED = new Set(["c", "e", "o", "j", "k", "m", "M", "N", "p", "R", "S", "u"]);

/** One option as `process_opts` treats it (`src/cmds/qsub.c`). */
function applyOption(out: QsubOptions, letter: string, raw: string, pc: PassContext): void {
  const { ctx, state } = pc;
  // -J and -l are looked at whatever the command line set; the others only when it did not.
  if (letter === "J") return applyArray(out, raw, pc);
  if (letter === "l") return applyResources(out, raw, pc);
  if (letter === "W") return applyW(out, raw, pc);
  if (pc.cliSet.has(letter)) return;
  const arg = "cmp".includes(letter) ? raw.trimStart() : raw;
  out.set.add(letter);
  if (VERIFIED.has(letter)) out.verify.push({ letter, value: arg });
  const r = out.request;
  switch (letter) {
    case "a": {
      const when = parsePbsDate(arg, ctx.complex.now());
      if (when === undefined) out.complaints.push("qsub: illegal -a value\n");
      else r.executionTime = when;
      return;
    }
    case "A":
      r.account = arg;
      return;
    case "c":
      if (arg === "u") out.complaints.push("qsub: illegal -c value\n");
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
    case "I":
      if (state.array) out.complaints.push(INTER_ARRAY);
      else state.interactive = true;
      return;
    case "j":
      r.joinPath = arg;
      return;
    case "k":
      r.keepFiles = arg;
      return;
    case "m":
      r.mailPoints = arg;
      return;
    case "M":
      r.mailUsers = arg;
      return;
    case "N":
      r.name = arg;
      return;
    case "p":
      if (isPriority(arg)) r.priority = Number(arg);
      return;
    case "q":
      out.destination = arg;
      return;
    case "r":
      if (arg !== "y" && arg !== "n") {
        out.complaints.push("qsub: illegal -r value\n");
      } else if (arg === "n" && state.array) {
        out.complaints.push(NO_RERUN_ARRAY);
      } else {
        state.rerun = arg;
        r.rerunnable = arg === "y";
      }
      return;
    case "v":
      // expand_varlist: a bare name must be in qsub's environment, or qsub exits 1 there and then.
      if (missingVariable(arg, ctx.env) !== undefined) {
        out.fatal = "qsub: cannot send environment with the job\n";
        return;
      }
      out.variables.push(...parseVariableList(arg, ctx.env));
      return;
    case "V":
      out.exportEnv = true;
      return;
    case "X":
      if (ctx.env.DISPLAY === undefined) out.complaints.push("qsub: DISPLAY not set\n");
      return;
    case "C":
      out.directivePrefix = arg;
      return;
    case "z":
      out.quietId = true;
      return;
    default:
      // -f, -P, -R, -S, -u: taken as given, no effect in the simulator.
      return;
  }
}

/** `-J X-Y[:Z][%N]`: not with -I or `-r n`; the range is checked by the library (`chk_Jrange`). */
function applyArray(out: QsubOptions, arg: string, pc: PassContext): void {
  const { state } = pc;
  if (state.interactive) return void out.complaints.push(INTER_ARRAY);
  if (state.rerun !== "y") return void out.complaints.push(NO_RERUN_ARRAY);
  if (pc.cliSet.has("J")) return;
  out.set.add("J");
  state.array = true;
  const percent = arg.indexOf("%");
  if (percent >= 0) {
    if (state.maxRun) return void out.complaints.push(MULTIPLE_MAX_RUN);
    state.maxRun = true;
  }
  const range = percent >= 0 ? arg.slice(0, percent) : arg;
  out.verify.push({ letter: "J", value: range });
  out.request.arrayRange = arg;
}

/**
 * `-l`: `set_resources` refuses an empty resource name and a trailing comma
 * (`illegal -l value`), and a value `pbs_quote_parse` cannot read (the
 * message, the option's text and a caret under the offending character).
 * Values are checked by the library; a directive adds only resources the
 * command line did not name.
 */
function applyResources(out: QsubOptions, arg: string, pc: PassContext): void {
  const items = splitResources(arg, "qsub");
  if ("error" in items) return void out.complaints.push(items.error);
  for (const [name, value] of items.pairs) {
    // set_resources with add=FALSE: a directive adds a resource only if none is named yet.
    if (pc.cliSet.has(`l:${name}`) || (pc.pass === "directive" && out.set.has(`l:${name}`))) {
      continue;
    }
    out.set.add(`l:${name}`);
    out.resources = setResource(out.resources, name, value);
    out.verify.push({ letter: "l", value, resource: name });
  }
}

/**
 * `-W name=value,...` (`parse_equal_string`): `depend` (checked by the
 * library), `block` and `interactive` (true/false), `resv_start`/`resv_end`
 * (`cvtdate`), `max_run_subjobs` (once, counting -J's `%`); other attributes
 * are taken and ignored. A list that does not parse is `illegal -W value`.
 */
function applyW(out: QsubOptions, raw: string, pc: PassContext): void {
  const { ctx, state } = pc;
  const arg = raw.trimStart();
  const pairs = arg === "" ? undefined : parseEqualString(arg);
  if (!pairs) return void out.complaints.push(BAD_W);
  for (const [key, value] of pairs) {
    const isBool = /^(true|false)$/i.test(value);
    if (key === "max_run_subjobs") {
      if (state.maxRun) return void out.complaints.push(MULTIPLE_MAX_RUN);
      state.maxRun = true;
      continue;
    }
    if (pc.cliSet.has(`W:${key}`)) continue;
    out.set.add(`W:${key}`);
    out.verify.push({ letter: "W", value, attribute: key });
    if (key === "depend") {
      out.request.depend = value;
    } else if (key === "block") {
      if (!isBool) return void out.complaints.push(BAD_W);
      out.block = value.toLowerCase() === "true";
    } else if (key === "interactive") {
      if (state.array) return void out.complaints.push(INTER_ARRAY);
      if (!isBool) return void out.complaints.push(BAD_W);
      if (value.toLowerCase() === "true") state.interactive = true;
    } else if (key === "resv_start" || key === "resv_end") {
      if (parsePbsDate(value, ctx.complex.now()) === undefined) {
        return void out.complaints.push(BAD_W);
      }
    }
  }
}

function setResource(
  list: Array<[string, string]>,
  name: string,
  value: string,
): Array<[string, string]> {
  return [...list.filter(([n]) => n !== name), [name, value]];
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
  return splitOutsideQuotes(text).filter((item) => item.includes("=") || !isQsubOwn(item)).map(
    (item) => {
      const eq = item.indexOf("=");
      if (eq < 0) return [item, escapeValue(env[item] ?? "")];
      return [item.slice(0, eq), escapeValue(item.slice(eq + 1).replace(/["']/g, ""))];
    },
  );
}

/** Names qsub sets or keeps to itself; a bare one in `-v` is skipped (`expand_varlist`). */
function isQsubOwn(name: string): boolean {
  return ["PBS_O_", "PBS_JOBCOOKIE", "PBS_INTERACTIVE_COOKIE"].some((p) => name.startsWith(p));
}

/** The first bare name of a `-v` list that the environment lacks. */
function missingVariable(text: string, env: Record<string, string>): string | undefined {
  return splitOutsideQuotes(text).find((item) =>
    !item.includes("=") && !isQsubOwn(item) && env[item] === undefined
  );
}

function escapeValue(value: string): string {
  return value.replaceAll("\\", "\\\\\\\\");
}

function mergeOptions(directives: QsubOptions, cli: QsubOptions): QsubOptions {
  let resources = directives.resources;
  for (const [name, value] of cli.resources) resources = setResource(resources, name, value);
  return {
    request: { ...directives.request, ...cli.request },
    resources,
    variables: [...directives.variables, ...cli.variables],
    exportEnv: directives.exportEnv || cli.exportEnv,
    block: directives.block || cli.block,
    quietId: directives.quietId || cli.quietId,
    destination: cli.destination ?? directives.destination,
    set: new Set([...cli.set, ...directives.set]),
    verify: [...cli.verify, ...directives.verify],
    complaints: [],
  };
}

/**
 * Directive lines before the first command of the script (blank lines,
 * comments, `#!` and `:` lines may come between), each parsed like
 * command-line options (`get_script`, `do_dir`): an option the command line
 * gave is left alone. A line that does not parse prints the complaint, then
 * `qsub: directive error: WORDS` and qsub exits 1. The prefix is `-C`'s
 * (empty: no directives), else `$PBS_DPREFIX`, else `#PBS`
 * (`set_dir_prefix`, `pbs_ispbsdir`, `pbs_isexecutable`).
 */
function directiveOptions(
  ctx: CommandContext,
  script: string,
  cli: QsubOptions,
  state: ProcessState,
): QsubOptions | { error: CommandOutput } {
  const out = emptyOptions();
  const prefix = cli.directivePrefix ?? ctx.env.PBS_DPREFIX ?? "#PBS";
  for (const line of script.split("\n")) {
    const trimmed = line.trim();
    if (prefix === "" || !trimmed.startsWith(prefix)) {
      const executable = !line.startsWith(":") && !line.startsWith("#!") && trimmed !== "" &&
        !trimmed.startsWith("#");
      if (executable) break;
      continue;
    }
    const words = splitWords(trimmed.slice(prefix.length));
    const directiveError = (before: string) =>
      fail(1, `${before}qsub: directive error: ${words.map((w) => `${w} `).join("")}\n`);
    const parsed = getopt(words, QSUB_OPTIONS);
    if (!parsed.ok) return { error: directiveError(`qsub: ${parsed.message}\n`) };
    const pc: PassContext = { ctx, pass: "directive", state, cliSet: cli.set };
    const complaintsBefore = out.complaints.length;
    for (const { letter, arg = "" } of parsed.options) {
      applyOption(out, letter, arg, pc);
      if (out.fatal) return { error: fail(1, out.complaints.join("") + out.fatal) };
    }
    const complaints = out.complaints.slice(complaintsBefore);
    if (complaints.length || parsed.operands.length) {
      return { error: directiveError(complaints.join("")) };
    }
    const afterPass = checkAfterPass(out, "directive", state);
    if (afterPass) return { error: afterPass };
  }
  return out;
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
