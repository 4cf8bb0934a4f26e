/**
 * The runner seam: the one place where PBS commands are executed.
 *
 * Everything above this interface (parsers, service, MCP tools) only ever sees
 * argv in and {stdout, stderr, code} out. The real runner executes PBS's own
 * binaries; the simulator (sim/) answers the same argv in-process. Nothing above
 * the runner may know which one it is talking to.
 */

export interface RunOptions {
  /** Text written to the child's stdin (then closed). No stdin when absent. */
  stdin?: string;
  /** Kill the command after this many milliseconds and report `timedOut`. */
  timeoutMs?: number;
  /** Cap on bytes kept from each of stdout and stderr; the rest is discarded and `truncated` set. */
  maxOutputBytes?: number;
  /** Extra environment variables for the child (added to the runner's base environment). */
  env?: Record<string, string>;
  /**
   * Working directory of the command. It matters for qsub: PBS records it as
   * the job's PBS_O_WORKDIR and writes the job's output files there by default.
   */
  cwd?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code. A process killed by a signal reports 128 + signal number. */
  code: number;
  timedOut: boolean;
  /** The time limit the command ran under (reported on a timeout, since durationMs includes the kill grace). */
  timeoutMs?: number;
  truncated: boolean;
  durationMs: number;
}

/** Which PBS a runner talks to, so answers can say so. */
export interface PbsInstallation {
  /** How it was found: an explicit PBS_EXEC, PATH, pbs.conf's PBS_EXEC, or the simulator. */
  source: "PBS_EXEC" | "PATH" | "pbs.conf" | "simulator" | "not_found" | "unknown";
  /** One line for people, e.g. `PBS commands from /opt/pbs/bin (found through PATH)`. */
  description: string;
  /** Absolute path of the qstat that runs, when real commands are used. */
  qstat?: string;
}

/** The end of a file read where a runner's commands run. */
export interface FileEnd {
  /** The path read, symlinks resolved there. */
  path: string;
  /** The file's last `maxBytes` bytes (all of it when smaller). */
  bytes: Uint8Array;
  /** The whole file's size. */
  sizeBytes: number;
}

/**
 * Reading files (jobs' output) on the machine where a runner's commands run,
 * when that is not this one (a login node behind ssh). The sandbox rules are
 * those of local reads (service/files.ts): the path, symlinks resolved there,
 * must lie inside one of the allowed directories, resolved there too, and be
 * a regular file; only its end is read.
 */
export interface RunnerFiles {
  /** Where the files are, for messages: `on the login node aurora`. */
  readonly where: string;
  /**
   * The last `maxBytes` bytes of the file at the absolute `path`; undefined
   * when it does not exist (or cannot be resolved). Throws PbsError:
   * permission_denied outside `allowedDirs`, invalid_input for what is not a
   * regular file or cannot be read, timeout, server_unreachable.
   */
  readEnd(
    path: string,
    options: { allowedDirs: readonly string[]; maxBytes: number; timeoutMs?: number },
  ): Promise<FileEnd | undefined>;
}

export interface Runner {
  /** argv[0] is the PBS command name (`qstat`, `qsub`, ...), never a path chosen by a user. */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Which installation answers (optional: a runner that cannot tell leaves it out). */
  describeInstallation?(): PbsInstallation;
  /**
   * Files where the commands run, when that is another machine (optional:
   * without it, job output is read from this machine's filesystem).
   */
  readonly remoteFiles?: RunnerFiles;
}

/** Defaults used when a caller gives none: generous enough for `qstat -f -F json` on a big site. */
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
