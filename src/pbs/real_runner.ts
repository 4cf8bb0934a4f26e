/**
 * The real runner: executes OpenPBS's own client commands.
 *
 * Safety and robustness rules it enforces:
 * - argv[0] must be a bare PBS command name from an allow-list; the binary is
 *   found by the runner (PBS_EXEC, then pbs.conf, then PATH), never taken from
 *   user text. Arguments go to the process as an array: no shell is involved.
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

import { PbsError } from "./errors.ts";
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_TIMEOUT_MS,
  type Runner,
  type RunOptions,
  type RunResult,
} from "./runner.ts";
import { signalNumber } from "./model/exit_status.ts";

/** The only commands the runner will execute. */
export const PBS_COMMANDS: ReadonlySet<string> = new Set([
  "qsub",
  "qstat",
  "qselect",
  "qdel",
  "qhold",
  "qrls",
  "qalter",
  "qmove",
  "qorder",
  "qsig",
  "qrerun",
  "qrun",
  "qmsg",
  "pbsnodes",
  "qmgr",
  "pbs_rsub",
  "pbs_rstat",
  "pbs_rdel",
  "pbs_ralter",
  "tracejob",
  "qterm",
]);

const DEFAULT_PBS_CONF = "/etc/pbs.conf";
const DEFAULT_KILL_GRACE_MS = 2_000;

export interface RealRunnerOptions {
  /** PBS installation directory (binaries in `bin/` and `sbin/`); takes precedence over everything. */
  pbsExec?: string;
  /**
   * Directories searched after PBS_EXEC and pbs.conf, instead of `PATH` from the
   * base environment. Tests point this at a directory of fake commands.
   */
  searchPath?: readonly string[];
  /** Environment the children start from; defaults to this process's environment. */
  baseEnv?: Record<string, string>;
  /** Extra variables for every child (after `LC_ALL=C`, so they may override it). */
  env?: Record<string, string>;
  defaultTimeoutMs?: number;
  defaultMaxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL on timeout, and how long to wait for pipes after exit. */
  killGraceMs?: number;
}

export class RealRunner implements Runner {
  readonly #options: RealRunnerOptions;
  readonly #baseEnv: Record<string, string>;

  constructor(options: RealRunnerOptions = {}) {
    this.#options = options;
    this.#baseEnv = options.baseEnv ?? safeEnvObject();
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const command = checkArgv(argv);
    const path = this.resolve(command);
    const timeoutMs = options.timeoutMs ?? this.#options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxBytes = options.maxOutputBytes ?? this.#options.defaultMaxOutputBytes ??
      DEFAULT_MAX_OUTPUT_BYTES;
    const graceMs = this.#options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    const env = { ...this.#baseEnv, LC_ALL: "C", ...this.#options.env, ...options.env };

    const started = performance.now();
    const child = spawn(command, path, argv.slice(1), env, options.stdin !== undefined);
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
      code: exitCode(status),
      timedOut: killer.fired,
      timeoutMs,
      truncated: out.truncated || err.truncated,
      durationMs: performance.now() - started,
    };
  }

  /** Absolute path of PBS command `name`, or a `command_not_found` PbsError. */
  resolve(name: string): string {
    for (const dir of this.#candidateDirs()) {
      const path = `${dir.replace(/\/+$/, "")}/${name}`;
      if (isExecutableFile(path)) return path;
    }
    throw new PbsError({
      kind: "command_not_found",
      message: `The PBS command '${name}' was not found.`,
      hint:
        "Set PBS_EXEC to the PBS installation directory (it holds bin/ and sbin/), make sure /etc/pbs.conf " +
        "(or the file named by PBS_CONF_FILE) has a PBS_EXEC= line, or add the PBS bin directory to PATH. " +
        "To try the server without PBS, start it with --demo.",
      command: name,
    });
  }

  /** Directories in lookup order: options.pbsExec, PBS_EXEC env, pbs.conf PBS_EXEC, then PATH. */
  #candidateDirs(): string[] {
    const execDirs = [
      this.#options.pbsExec,
      this.#baseEnv.PBS_EXEC,
      pbsExecFromConf(this.#baseEnv.PBS_CONF_FILE || DEFAULT_PBS_CONF),
    ].filter((d): d is string => !!d);
    const fromExec = execDirs.flatMap((d) => [`${d}/bin`, `${d}/sbin`]);
    const path = this.#options.searchPath ??
      (this.#baseEnv.PATH ?? "").split(":").filter((d) => d !== "");
    return [...fromExec, ...path];
  }
}

function checkArgv(argv: readonly string[]): string {
  const command = argv[0];
  if (command === undefined || !PBS_COMMANDS.has(command)) {
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

function safeEnvObject(): Record<string, string> {
  try {
    return Deno.env.toObject();
  } catch {
    return {}; // no --allow-env: children get only what we set
  }
}

function spawn(
  command: string,
  path: string,
  args: string[],
  env: Record<string, string>,
  withStdin: boolean,
): Deno.ChildProcess {
  try {
    return new Deno.Command(path, {
      args,
      env,
      clearEnv: true,
      stdin: withStdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      // Own process group, so a timeout can kill the command and anything it started.
      detached: true,
    }).spawn();
  } catch (error) {
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
      hint: "Check that the file is executable and that the server was started with --allow-run.",
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
