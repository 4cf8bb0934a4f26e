/**
 * The real runner: executes OpenPBS's own client commands.
 *
 * Safety and robustness rules it enforces:
 * - argv[0] must be a bare PBS command name from an allow-list; the binary is
 *   found by the runner (an explicit PBS_EXEC, then PATH, then pbs.conf's
 *   PBS_EXEC: what the user at a terminal would run), never taken from user
 *   text. Arguments go to the process as an array: no shell is involved.
 * - Every run has a timeout (a hung pbs_server makes qstat/qsub block forever,
 *   see goldens notes §6): SIGTERM to the whole process group, SIGKILL after a
 *   short grace. A timeout is reported as `timedOut`, not thrown; the error
 *   catalogue decides what it means.
 * - stdout and stderr are drained concurrently and capped; bytes past the cap
 *   are read and discarded so the child never blocks on a full pipe.
 * - Output is decoded as UTF-8 without failing on invalid bytes (the 23.06.06
 *   release client emits them).
 * - `LC_ALL=C` so PBS and libc messages are the English texts the catalogue knows.
 */

import { readEnv } from "../env.ts";
import { PbsError } from "./errors.ts";
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_TIMEOUT_MS,
  type PbsInstallation,
  type Runner,
  type RunOptions,
  type RunResult,
} from "./runner.ts";
import { signalNumber } from "./model/exit_status.ts";

/**
 * The only commands the runner will execute: those the argv builders
 * (src/pbs/commands/) produce, and no other (least privilege: the deno.json
 * tasks and src/permissions.ts grant --allow-run for exactly these).
 */
export const PBS_COMMANDS: ReadonlySet<string> = new Set([
  "qsub",
  "qstat",
  "qselect",
  "qdel",
  "qhold",
  "qrls",
  "qalter",
  "qmove",
  "pbsnodes",
  "qmgr",
  "pbs_rsub",
  "pbs_rstat",
  "pbs_rdel",
  "pbs_ralter",
  "tracejob",
]);

/**
 * What a PBS command inherits from the server's environment, and nothing else
 * (plus `LC_ALL=C`). Not inherited: the server's own settings and secrets
 * (`PBS_MCP_*`, among them the HTTP tokens), `PWD` (qsub would take the
 * server's directory for PBS_O_WORKDIR instead of the submit directory it runs
 * in), and `LD_*` (Deno refuses to start a program with those unless
 * `--allow-run` is unrestricted).
 */
export const CHILD_ENV_NAMES: readonly string[] = [
  // qsub copies these into the job as PBS_O_HOME, PBS_O_LANG, ... (qsub.c, set_job_env()).
  "HOME",
  "LANG",
  "LOGNAME",
  "PATH",
  "MAIL",
  "SHELL",
  "TZ",
  "USER",
  // Temporary files of PBS's library (pbs_loadconf.c, pbs_get_tmpdir()).
  "TMPDIR",
  "TMP",
  // Kerberos credentials, for sites whose PBS authenticates with GSS.
  "KRB5CCNAME",
  // What pbs_loadconf() (pbs_loadconf.c) lets the environment override in a
  // client, and qsub's own PBS_SHELL and PBS_DPREFIX (qsub.c).
  "PBS_CONF_FILE",
  "PBS_EXEC",
  "PBS_HOME",
  "PBS_SERVER",
  "PBS_DEFAULT",
  "PBS_PRIMARY",
  "PBS_SECONDARY",
  "PBS_BATCH_SERVICE_PORT",
  "PBS_BATCH_SERVICE_PORT_DIS",
  "PBS_SERVER_HOST_NAME",
  "PBS_PUBLIC_HOST_NAME",
  "PBS_OUTPUT_HOST_NAME",
  "PBS_LEAF_NAME",
  "PBS_LEAF_ROUTERS",
  "PBS_AUTH_METHOD",
  "PBS_ENCRYPT_METHOD",
  "PBS_SUPPORTED_AUTH_METHODS",
  "PBS_AUTH_SERVICE_USERS",
  "PBS_INTERACTIVE_AUTH_METHOD",
  "PBS_INTERACTIVE_ENCRYPT_METHOD",
  "PBS_GSS_USER_CREDENTIALS_BIN",
  "PBS_TMPDIR",
  "PBS_SHELL",
  "PBS_DPREFIX",
];

const DEFAULT_PBS_CONF = "/etc/pbs.conf";
const DEFAULT_KILL_GRACE_MS = 2_000;

/**
 * Where PBS commands are looked for, in this order. Nothing outside it is
 * consulted: a runner given a lookup never reads the environment or
 * /etc/pbs.conf to find a command, which is how tests pin their PBS.
 */
export interface PbsLookup {
  /** An explicit installation prefix (`PBS_EXEC`): its `bin/` and `sbin/` come first. */
  pbsExec?: string;
  /** Directories searched next, as a shell searches `PATH`. */
  path: readonly string[];
  /** A pbs.conf whose `PBS_EXEC` is the last resort; absent: no fallback. */
  pbsConfFile?: string;
}

/**
 * The lookup a user at a terminal gets: `PBS_EXEC` if they set it, else the
 * `qstat` on their `PATH`, else the installation `pbs.conf` names. The file
 * is found as OpenPBS's pbs_get_conf_file() (pbs_loadconf.c) finds it: `PBS_CONF_FILE`, else
 * /etc/pbs.conf.
 */
export function lookupFromEnv(env: Record<string, string | undefined>): PbsLookup {
  return {
    pbsExec: env.PBS_EXEC || undefined,
    path: (env.PATH ?? "").split(":").filter((d) => d !== ""),
    pbsConfFile: env.PBS_CONF_FILE || DEFAULT_PBS_CONF,
  };
}

export interface RealRunnerOptions {
  /** Where commands are found; defaults to `lookupFromEnv(baseEnv)`. */
  lookup?: PbsLookup;
  /** Environment the children start from; defaults to this process's CHILD_ENV_NAMES. */
  baseEnv?: Record<string, string>;
  /** Extra variables for every child (after `LC_ALL=C`, so they may override it). */
  env?: Record<string, string>;
  defaultTimeoutMs?: number;
  defaultMaxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL on timeout, and how long to wait for pipes after exit. */
  killGraceMs?: number;
  /**
   * Programs besides PBS's that argv[0] may name: a site profile's allocation
   * command (a name looked up like PBS's commands, or an absolute path).
   */
  extraPrograms?: readonly string[];
}

/** A directory to look in, and why it is looked in (for describeInstallation). */
interface Candidate {
  dir: string;
  source: "PBS_EXEC" | "PATH" | "pbs.conf";
}

export class RealRunner implements Runner {
  readonly #options: RealRunnerOptions;
  readonly #baseEnv: Record<string, string>;
  readonly #lookup: PbsLookup;

  constructor(options: RealRunnerOptions = {}) {
    this.#options = options;
    this.#baseEnv = options.baseEnv ?? readEnv(CHILD_ENV_NAMES);
    this.#lookup = options.lookup ?? lookupFromEnv(this.#baseEnv);
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    // async: a refused or missing command rejects the promise, as callers expect.
    const command = checkArgv(argv, this.#options.extraPrograms ?? []);
    const path = this.resolve(command);
    const { stdoutBytes: _, ...result } = await runProcess(command, path, argv.slice(1), options, {
      baseEnv: this.#baseEnv,
      env: this.#options.env,
      defaultTimeoutMs: this.#options.defaultTimeoutMs,
      defaultMaxOutputBytes: this.#options.defaultMaxOutputBytes,
      killGraceMs: this.#options.killGraceMs,
    });
    return result;
  }

  /** Absolute path of PBS command `name`, or a `command_not_found` PbsError. */
  resolve(name: string): string {
    if (name.startsWith("/") && isExecutableFile(name)) return name;
    const found = this.#find(name);
    if (found) return found.path;
    throw new PbsError({
      kind: "command_not_found",
      message: `The PBS command '${name}' was not found.`,
      hint:
        "Set PBS_EXEC to the PBS installation directory (it holds bin/ and sbin/), add the PBS " +
        "bin directory to PATH, or make sure /etc/pbs.conf (or the file named by PBS_CONF_FILE) " +
        "has a PBS_EXEC= line. To try the server without PBS, start it with --demo.",
      command: name,
    });
  }

  /** Which installation answers: where `qstat` is found, and through what. */
  describeInstallation(): PbsInstallation {
    const found = this.#find("qstat");
    if (!found) {
      return {
        source: "not_found",
        description: "no PBS installation found (qstat is not in PBS_EXEC, PATH or pbs.conf's " +
          "PBS_EXEC)",
      };
    }
    const via = found.source === "pbs.conf"
      ? `PBS_EXEC in ${this.#lookup.pbsConfFile}`
      : found.source;
    return {
      source: found.source,
      qstat: found.path,
      description: `PBS commands from ${found.dir} (found through ${via})`,
    };
  }

  #find(name: string): (Candidate & { path: string }) | undefined {
    for (const candidate of this.#candidates()) {
      const path = `${candidate.dir}/${name}`;
      if (isExecutableFile(path)) return { ...candidate, path };
    }
    return undefined;
  }

  /** Directories in lookup order: PBS_EXEC, then PATH, then pbs.conf's PBS_EXEC. */
  *#candidates(): Generator<Candidate> {
    const { pbsExec, path, pbsConfFile } = this.#lookup;
    if (pbsExec) yield* installationDirs(pbsExec, "PBS_EXEC");
    for (const dir of path) yield { dir: trimSlash(dir), source: "PATH" };
    // Read only when needed, and on every such lookup: an installation that appears later is found.
    const fromConf = pbsConfFile ? pbsExecFromConf(pbsConfFile) : undefined;
    if (fromConf) yield* installationDirs(fromConf, "pbs.conf");
  }
}

/** How runProcess starts and bounds a child (RealRunnerOptions' process part). */
export interface ProcessSettings {
  baseEnv: Record<string, string>;
  env?: Record<string, string>;
  defaultTimeoutMs?: number;
  defaultMaxOutputBytes?: number;
  killGraceMs?: number;
}

/**
 * Runs `path` with `args` (no shell) under the runner rules: the timeout that
 * kills the whole process group, capped and concurrently drained output,
 * lenient UTF-8, `LC_ALL=C`. `command` names it in errors. Shared by the SSH
 * runner, which runs `ssh` this way.
 */
export async function runProcess(
  command: string,
  path: string,
  args: string[],
  options: RunOptions,
  settings: ProcessSettings,
): Promise<RunResult & { stdoutBytes: Uint8Array }> {
  const timeoutMs = options.timeoutMs ?? settings.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxOutputBytes ?? settings.defaultMaxOutputBytes ??
    DEFAULT_MAX_OUTPUT_BYTES;
  const graceMs = settings.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const env = { ...settings.baseEnv, LC_ALL: "C", ...settings.env, ...options.env };

  const started = performance.now();
  const child = spawn(command, path, args, env, options);
  const stdinDone = options.stdin !== undefined
    ? writeStdin(child.stdin, options.stdin)
    : Promise.resolve();
  const stdout = drain(child.stdout, maxBytes);
  const stderr = drain(child.stderr, maxBytes);

  const killer = armTimeout(child, timeoutMs, graceMs);
  const status = await child.status;
  killer.disarm();
  // A grandchild that left the process group may still hold the pipes open;
  // give them a moment to reach EOF, then stop reading.
  const [out, err] = await Promise.all([
    finishWithin(stdout, graceMs),
    finishWithin(stderr, graceMs),
    stdinDone,
  ]);
  return {
    stdout: decode(out.bytes),
    stderr: decode(err.bytes),
    // As read, for a caller that needs bytes (the SSH runner reading a file's end).
    stdoutBytes: out.bytes,
    code: exitCode(status),
    timedOut: killer.fired,
    timeoutMs,
    truncated: out.truncated || err.truncated,
    durationMs: performance.now() - started,
  };
}

function installationDirs(prefix: string, source: Candidate["source"]): Candidate[] {
  return ["bin", "sbin"].map((sub) => ({ dir: `${trimSlash(prefix)}/${sub}`, source }));
}

function trimSlash(dir: string): string {
  return dir.length > 1 ? dir.replace(/\/+$/, "") : dir;
}

/**
 * argv[0] must be an allowed PBS command (or one of `extra`, a site profile's
 * allocation command) and no argument may hold a NUL; returns argv[0].
 */
export function checkArgv(argv: readonly string[], extra: readonly string[] = []): string {
  const command = argv[0];
  if (command === undefined || !(PBS_COMMANDS.has(command) || extra.includes(command))) {
    throw new PbsError({
      kind: "invalid_input",
      message: `Refusing to run '${command ?? ""}': not a PBS command this server may execute.`,
      hint: `argv[0] must be one of: ${[...PBS_COMMANDS].join(", ")}.`,
      command,
    });
  }
  if (argv.some((arg) => arg.includes("\0"))) {
    throw new PbsError({
      kind: "invalid_input",
      message: "A command argument contains a NUL character.",
      hint: "Remove NUL characters from the values passed to PBS.",
      command,
    });
  }
  return command;
}

/** Reads `PBS_EXEC=...` from a pbs.conf file; undefined if unreadable or absent. */
export function pbsExecFromConf(file: string): string | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return undefined; // no file, or no permission to read it: fall through to PATH
  }
  for (const line of text.split("\n")) {
    const m = /^\s*PBS_EXEC\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1] !== "") return m[1].replace(/^(["'])(.*)\1$/, "$2");
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && (info.mode === null || (info.mode & 0o111) !== 0);
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function spawn(
  command: string,
  path: string,
  args: string[],
  env: Record<string, string>,
  options: RunOptions,
): Deno.ChildProcess {
  try {
    return new Deno.Command(path, {
      args,
      env,
      clearEnv: true,
      // qsub records this directory as the job's PBS_O_WORKDIR and writes output there.
      cwd: options.cwd,
      stdin: options.stdin !== undefined ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      // Own process group, so a timeout can kill the command and anything it started.
      detached: true,
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound && options.cwd && !isDirectory(options.cwd)) {
      throw new PbsError({
        kind: "pbs_error",
        message: `The directory ${command} should run in does not exist: ${options.cwd}.`,
        hint:
          "Set PBS_MCP_SUBMIT_DIR to an existing directory (default $HOME) and restart the server.",
        command,
      });
    }
    if (error instanceof Deno.errors.NotFound) {
      throw new PbsError({
        kind: "command_not_found",
        message: `The PBS command '${command}' disappeared before it could be run (${path}).`,
        hint: "Check the PBS installation (PBS_EXEC) and try again.",
        command,
      });
    }
    throw new PbsError({
      kind: "pbs_error",
      message: `Could not start ${path}: ${error instanceof Error ? error.message : String(error)}`,
      hint: "Check that the file is executable and that the server's --allow-run names it " +
        "(`deno task permissions` prints the flags for the installation found).",
      command,
    });
  }
}

async function writeStdin(stream: WritableStream<Uint8Array>, text: string): Promise<void> {
  const writer = stream.getWriter();
  try {
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
  } catch {
    // The child exited or closed stdin without reading everything: not our error to report.
  }
}

interface Drained {
  bytes: Uint8Array;
  truncated: boolean;
}

interface Drain {
  done: Promise<Drained>;
  /** Stops reading early (pipe held open by an escaped grandchild) and resolves `done`. */
  stop(): void;
}

/** Reads a stream to its end, keeping at most `maxBytes`; the rest is read and discarded. */
function drain(stream: ReadableStream<Uint8Array>, maxBytes: number): Drain {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  const done = (async (): Promise<Drained> => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        const room = maxBytes - kept;
        if (value.byteLength > room) truncated = true;
        if (room > 0) {
          const piece = value.byteLength > room ? value.subarray(0, room) : value;
          chunks.push(piece);
          kept += piece.byteLength;
        }
      }
    } catch {
      // Cancelled by stop(), or the pipe broke: keep what we have.
    }
    return { bytes: concat(chunks, kept), truncated };
  })();
  return { done, stop: () => void reader.cancel().catch(() => {}) };
}

async function finishWithin(drain: Drain, ms: number): Promise<Drained> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  const result = await Promise.race([drain.done, late.then(() => undefined)]);
  clearTimeout(timer);
  if (result) return result;
  drain.stop();
  return await drain.done;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

interface Killer {
  readonly fired: boolean;
  disarm(): void;
}

/** After `timeoutMs`: SIGTERM the process group, then SIGKILL after `graceMs`. */
function armTimeout(child: Deno.ChildProcess, timeoutMs: number, graceMs: number): Killer {
  let fired = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const termTimer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
      fired = true;
      signalGroup(child, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
    }, Math.max(0, timeoutMs))
    : undefined;
  return {
    get fired() {
      return fired;
    },
    disarm() {
      clearTimeout(termTimer);
      clearTimeout(killTimer);
      // The command exited, but on timeout its group may still hold stragglers.
      if (fired) signalGroup(child, "SIGKILL");
    },
  };
}

function signalGroup(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    Deno.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false });

function decode(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Exit code as the runner contract defines it: 128 + signal number for a signalled process. */
function exitCode(status: Deno.CommandStatus): number {
  if (status.signal) {
    const n = signalNumber(status.signal);
    if (n !== undefined) return 128 + n;
  }
  return status.code;
}
