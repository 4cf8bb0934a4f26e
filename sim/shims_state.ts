/**
 * A simulated complex persisted in a directory, so separate processes (the
 * `qstat`/`qsub` shims of `main.ts sim shims`, successive `main.ts --demo
 * --state DIR` servers) share one complex.
 *
 * The directory holds `state.json` (scenario, seed, speed, when it was
 * created), `log.jsonl` (every command run against the complex, in order, at
 * the simulated second it ran) and `files/` (the complex's outputDir: users'
 * homes and job output files). A command rebuilds the complex from its
 * scenario and replays the log (the engine is deterministic for a seed), then
 * runs and appends itself. Replaying the log rather than saving a snapshot
 * (sim/snapshot.ts) keeps what a snapshot drops: finished jobs (`qstat -x`,
 * their output paths, tracejob), arrays that have begun, and the scenario's
 * random stream. Read-only commands are logged as the clock tick they caused
 * (`{"t":…}`), so the replay advances the clock exactly as the live run did.
 *
 * Concurrency: load-replay-run-append happens under an exclusive lock on
 * `lock` (flock: released by the kernel if a process dies).
 *
 * The simulated clock follows real time at `speed` × since the state was
 * created, never running backwards.
 */

import {
  DEFAULT_MAX_OUTPUT_BYTES,
  type PbsInstallation,
  type Runner,
  type RunOptions,
  type RunResult,
} from "../src/pbs/runner.ts";
import type { CommandContext, ScriptRead } from "./commands/context.ts";
import { dispatch } from "./commands/dispatch.ts";
import { finishedResult } from "./runner.ts";
import type { CommandOutput } from "./errno.ts";
import type { Complex } from "./complex.ts";
import { createScenario, SCENARIO_NAMES } from "./scenarios.ts";

export const STATE_FORMAT = "pbs-sim-state/1";

export interface PersistedSettings {
  scenario: string;
  seed: number;
  /** Simulated seconds per real second. */
  speed: number;
}

export interface StateFile extends PersistedSettings {
  format: typeof STATE_FORMAT;
  /** Real time (epoch ms) the state was created: the clock's origin. */
  createdMs: number;
  /** Simulated epoch seconds at creation. */
  startTime: number;
}

/** One command as it ran, with everything it read from outside the complex. */
interface LoggedCommand {
  /** Simulated time it ran at. */
  t: number;
  user?: string;
  command?: string;
  args?: string[];
  stdin?: string;
  env?: Record<string, string>;
  workdir?: string;
  /** Script files qsub read, by the path it was given. */
  files?: Record<string, ScriptRead>;
}

/** A command to run against the persisted complex. */
export interface SimInvocation {
  user: string;
  command: string;
  args: readonly string[];
  /** Read only if the command asks for it (qsub without a script operand). */
  stdin: () => string | undefined;
  /** The caller's environment as PBS clients see it (defaults are added). */
  env?: Record<string, string>;
  /** The caller's working directory; default: the simulated user's home. */
  workdir?: string;
  /** Reads a script file the command names (qsub SCRIPT). */
  readFile: (path: string) => ScriptRead;
}

/** Commands that never change the complex: logged as a clock tick only. */
const READ_ONLY = new Set(["qstat", "qselect", "tracejob", "pbs_rstat"]);

const paths = (dir: string) => ({
  state: `${dir}/state.json`,
  log: `${dir}/log.jsonl`,
  lock: `${dir}/lock`,
  files: `${dir}/files`,
});

/**
 * Creates the state directory if it has no state yet; returns the settings in
 * force (an existing state keeps its own, whatever `settings` asks).
 */
export function ensureState(dir: string, settings: PersistedSettings): StateFile {
  if (!(SCENARIO_NAMES as readonly string[]).includes(settings.scenario)) {
    throw new Error(
      `unknown scenario '${settings.scenario}' (known: ${SCENARIO_NAMES.join(", ")})`,
    );
  }
  const p = paths(dir);
  // Private: the log keeps the scripts and variables of the commands run.
  Deno.mkdirSync(p.files, { recursive: true, mode: 0o700 });
  return withLockSync(p.lock, () => {
    const existing = readStateFile(p.state);
    if (existing) return existing;
    const state: StateFile = {
      format: STATE_FORMAT,
      ...settings,
      createdMs: Date.now(),
      startTime: Math.floor(Date.now() / 1000),
    };
    Deno.writeTextFileSync(p.state, `${JSON.stringify(state, null, 2)}\n`);
    Deno.writeTextFileSync(p.log, "");
    return state;
  });
}

/** The state in `dir`, or an Error saying how to create one. */
export function readState(dir: string): StateFile {
  const state = readStateFile(paths(dir).state);
  if (!state) {
    throw new Error(
      `${dir} holds no simulated PBS state: create it with \`main.ts sim shims DIR --state ${dir}\` ` +
        "or `main.ts --demo --state " + dir + "`",
    );
  }
  return state;
}

function readStateFile(file: string): StateFile | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  const state = JSON.parse(text) as StateFile;
  if (state.format !== STATE_FORMAT) {
    throw new Error(`${file} is not a ${STATE_FORMAT} file`);
  }
  return state;
}

/** The simulated user's home directory inside the state (where qsub's output lands as is). */
export function homeIn(dir: string, user: string): string {
  return `${paths(dir).files}${user === "root" ? "/root" : `/home/${user}`}`;
}

/** Runs one command against the complex persisted in `dir`, under the lock. */
export function runPersisted(dir: string, invocation: SimInvocation): CommandOutput {
  const p = paths(dir);
  const state = readState(dir);
  return withLockSync(p.lock, () => {
    const log = readLog(p.log);
    const complex = replay(state, p.files, log);
    const due = state.startTime + Math.floor((Date.now() - state.createdMs) * state.speed / 1000);
    const t = Math.max(complex.now(), due);
    complex.advance(t - complex.now());

    const files: Record<string, ScriptRead> = {};
    let stdin: string | undefined;
    let stdinRead = false;
    const output = dispatch(
      context(complex, {
        ...invocation,
        stdin: () => {
          if (!stdinRead) [stdin, stdinRead] = [invocation.stdin(), true];
          return stdin;
        },
        readFile: (path) => (files[path] = invocation.readFile(path)),
      }),
    );
    const entry: LoggedCommand = READ_ONLY.has(invocation.command) ? { t } : {
      t,
      user: invocation.user,
      command: invocation.command,
      args: [...invocation.args],
      stdin,
      env: invocation.env,
      workdir: invocation.workdir,
      files: Object.keys(files).length > 0 ? files : undefined,
    };
    Deno.writeTextFileSync(p.log, `${JSON.stringify(entry)}\n`, { append: true });
    return output;
  });
}

function readLog(file: string): LoggedCommand[] {
  const lines = Deno.readTextFileSync(file).split("\n");
  return lines.flatMap((line, index) => {
    if (line === "") return [];
    try {
      const entry = JSON.parse(line) as LoggedCommand;
      if (typeof entry.t !== "number") throw new Error("no time");
      return [entry];
    } catch {
      throw new Error(
        `${file} line ${index + 1} is not a logged command: the state is damaged; ` +
          "delete its directory to start afresh",
      );
    }
  });
}

/** The complex as it was after the last logged command. */
function replay(state: StateFile, outputDir: string, log: LoggedCommand[]): Complex {
  const complex = createScenario(state.scenario, {
    seed: state.seed,
    outputDir,
    startTime: state.startTime,
  });
  for (const entry of log) {
    complex.advance(entry.t - complex.now());
    if (entry.command === undefined) continue;
    const files = entry.files ?? {};
    dispatch(context(complex, {
      user: entry.user!,
      command: entry.command,
      args: entry.args ?? [],
      stdin: () => entry.stdin,
      env: entry.env,
      workdir: entry.workdir,
      readFile: (path) => files[path] ?? { kind: "missing" },
    }));
  }
  return complex;
}

/** The context a PBS client of the simulator gets (the environment defaults SimRunner uses). */
function context(complex: Complex, invocation: SimInvocation): CommandContext {
  const home = complex.homeDir(invocation.user);
  const ctx: CommandContext = {
    complex,
    caller: { user: invocation.user, host: complex.server.host },
    command: invocation.command,
    args: invocation.args,
    env: {
      HOME: home,
      USER: invocation.user,
      LOGNAME: invocation.user,
      SHELL: "/bin/bash",
      LANG: "C.UTF-8",
      PATH: "/opt/pbs/bin:/usr/bin:/bin",
      ...invocation.env,
    },
    workdir: invocation.workdir ?? home,
    jsonFlavour: "master",
    readScript: invocation.readFile,
  };
  // qsub reads stdin only when it has no script operand, as the real client does.
  Object.defineProperty(ctx, "stdin", { get: invocation.stdin, enumerable: true });
  return ctx;
}

/** Runs `fn` holding an exclusive flock on `file` (waits for other holders). */
function withLockSync<T>(file: string, fn: () => T): T {
  const lock = Deno.openSync(file, { create: true, write: true });
  try {
    lock.lockSync(true);
    return fn();
  } finally {
    lock.close(); // closing releases the lock
  }
}

/**
 * The persisted complex behind the runner seam (`main.ts --demo --state DIR`):
 * each run loads, replays, runs and appends, so successive server processes
 * (and the shims) share one complex.
 */
export class PersistedSimRunner implements Runner {
  readonly #dir: string;
  readonly #user: string;

  constructor(dir: string, user: string) {
    this.#dir = dir;
    this.#user = user;
  }

  // deno-lint-ignore require-await -- async so that a damaged state rejects rather than throws
  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const started = performance.now();
    const output = runPersisted(this.#dir, {
      user: this.#user,
      command: (argv[0] ?? "").split("/").pop() ?? "",
      args: argv.slice(1),
      stdin: () => options.stdin,
      env: options.env,
      workdir: options.cwd,
      readFile: readRealFile,
    });
    return finishedResult(output, options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, started);
  }

  describeInstallation(): PbsInstallation {
    const state = readState(this.#dir);
    return {
      source: "simulator",
      description: `the simulated "${state.scenario}" PBS complex persisted in ${this.#dir} ` +
        "(demo mode: no real PBS is used)",
    };
  }
}

/** A script file the caller names, read from the real filesystem (relative: to the cwd). */
export function readRealFile(path: string): ScriptRead {
  try {
    if (Deno.statSync(path).isDirectory) return { kind: "directory" };
    return { kind: "file", text: Deno.readTextFileSync(path) };
  } catch {
    return { kind: "missing" };
  }
}
