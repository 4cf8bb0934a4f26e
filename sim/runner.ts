/**
 * SimRunner: the simulator behind the runner seam. It answers argv exactly
 * like OpenPBS's clients against `complex`, never executing anything, and can
 * inject the failures a real site shows (server down, hung server, slow
 * commands, the release client's malformed JSON) so the layers above can be
 * tested against them.
 */

import {
  DEFAULT_TIMEOUT_MS,
  type PbsInstallation,
  type Runner,
  type RunOptions,
  type RunResult,
} from "../src/pbs/runner.ts";
import type { ComplexApi } from "./model.ts";
import type { JsonFlavour } from "./format/attrs.ts";
import type { CommandContext, ScriptRead } from "./commands/context.ts";
import { dispatch } from "./commands/dispatch.ts";

/** Which JSON writer `-F json` uses: OpenPBS master (valid) or the 23.06.06 release client. */
export type JsonFault = "none" | "release-client";

export interface SimFaults {
  /** Commands that never answer (pbs_server SIGSTOPped): they end only at the caller's timeout. */
  hang?: string[];
  /** Extra real delay per command, in milliseconds. */
  slowMs?: Record<string, number>;
  /**
   * `release-client`: numeric-looking values raw (`inf`, `1e5`), an empty
   * variable swallowing the next one, backslashes unescaped.
   */
  json?: JsonFault;
}

export interface SimRunnerOptions {
  complex: ComplexApi;
  /** The simulated caller (`alice`, `root`). */
  user: string;
  /** Host the caller is on; defaults to the server's host. */
  host?: string;
  /** Virtual files (script paths); relative paths resolve against the caller's home. */
  files?: Record<string, string>;
  faults?: SimFaults;
  /** Base environment of the caller (HOME, PATH, ... default to PBS-like values). */
  env?: Record<string, string>;
}

/** Exit code reported for a command cut off by its timeout (as coreutils `timeout` does). */
export const TIMED_OUT_CODE = 124;

export class SimRunner implements Runner {
  readonly complex: ComplexApi;
  faults: SimFaults;
  private user: string;
  private readonly host?: string;
  private readonly files: Map<string, string>;
  private readonly baseEnv: Record<string, string>;
  private readonly counts = new Map<string, number>();

  constructor(options: SimRunnerOptions) {
    this.complex = options.complex;
    this.user = options.user;
    this.host = options.host;
    this.faults = { ...options.faults };
    this.baseEnv = options.env ?? {};
    this.files = new Map(
      Object.entries(options.files ?? {}).map(([path, text]) => [this.resolve(path), text]),
    );
  }

  /** Changes the simulated caller for later runs. */
  setUser(user: string): void {
    this.user = user;
  }

  get currentUser(): string {
    return this.user;
  }

  /** Adds or replaces a virtual file. */
  setFile(path: string, text: string): void {
    this.files.set(this.resolve(path), text);
  }

  /** Simulates `qterm` / restart without going through the commands. */
  setServerDown(down: boolean): void {
    this.complex.server.up = !down;
  }

  describeInstallation(): PbsInstallation {
    return {
      source: "simulator",
      description: `the simulated PBS complex of server ${this.complex.server.name} ` +
        "(demo mode: no real PBS is used)",
    };
  }

  /** How many times each command ran (for tests and metrics). */
  runCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const started = performance.now();
    const command = (argv[0] ?? "").split("/").pop() ?? "";
    this.counts.set(command, (this.counts.get(command) ?? 0) + 1);

    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (this.faults.hang?.includes(command)) {
      await delay(timeoutMs);
      return timedOutResult(started);
    }
    const slow = this.faults.slowMs?.[command] ?? 0;
    if (slow > 0) {
      if (slow >= timeoutMs) {
        await delay(timeoutMs);
        return timedOutResult(started);
      }
      await delay(slow);
    }

    const output = dispatch(this.context(command, argv.slice(1), options));
    return finishedResult(output, options.maxOutputBytes, started);
  }

  private context(command: string, args: readonly string[], options: RunOptions): CommandContext {
    const home = this.home();
    return {
      complex: this.complex,
      caller: { user: this.user, host: this.host ?? this.complex.server.host },
      command,
      args,
      stdin: options.stdin,
      env: { ...this.defaultEnv(), ...this.baseEnv, ...options.env },
      // As a real qsub, the directory the command runs in becomes PBS_O_WORKDIR.
      workdir: options.cwd ?? home,
      jsonFlavour: this.jsonFlavour(),
      readScript: (path) => this.readScript(path),
    };
  }

  private jsonFlavour(): JsonFlavour {
    return this.faults.json === "release-client" ? "release" : "master";
  }

  private home(): string {
    return this.complex.homeDir(this.user);
  }

  private defaultEnv(): Record<string, string> {
    return {
      HOME: this.home(),
      USER: this.user,
      LOGNAME: this.user,
      SHELL: "/bin/bash",
      LANG: "C.UTF-8",
      PATH: "/opt/pbs/bin:/usr/bin:/bin",
    };
  }

  private resolve(path: string): string {
    return path.startsWith("/") ? normalisePath(path) : normalisePath(`${this.home()}/${path}`);
  }

  /** Virtual files first (a path with files below it is a directory), then the real filesystem. */
  private readScript(path: string): ScriptRead {
    const virtual = this.resolve(path);
    const text = this.files.get(virtual);
    if (text !== undefined) return { kind: "file", text };
    const prefix = `${virtual}/`;
    if ([...this.files.keys()].some((key) => key.startsWith(prefix))) return { kind: "directory" };
    return readRealFile(path);
  }
}

function readRealFile(path: string): ScriptRead {
  try {
    const info = Deno.statSync(path);
    if (info.isDirectory) return { kind: "directory" };
    return { kind: "file", text: Deno.readTextFileSync(path) };
  } catch {
    return { kind: "missing" };
  }
}

function normalisePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** A command's output as the runner seam reports it: each stream capped at `limit` bytes. */
export function finishedResult(
  output: { stdout: string; stderr: string; code: number },
  limit: number | undefined,
  started: number,
): RunResult {
  const [stdout, cutOut] = capBytes(output.stdout, limit);
  const [stderr, cutErr] = capBytes(output.stderr, limit);
  return {
    stdout,
    stderr,
    code: output.code,
    timedOut: false,
    truncated: cutOut || cutErr,
    durationMs: elapsed(started),
  };
}

function capBytes(text: string, limit: number | undefined): [string, boolean] {
  if (limit === undefined) return [text, false];
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= limit) return [text, false];
  return [new TextDecoder().decode(bytes.slice(0, limit)), true];
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** What a client killed at its timeout reports (the real runner's shape). */
function timedOutResult(started: number): RunResult {
  return {
    stdout: "",
    stderr: "",
    code: TIMED_OUT_CODE,
    timedOut: true,
    truncated: false,
    durationMs: elapsed(started),
  };
}
