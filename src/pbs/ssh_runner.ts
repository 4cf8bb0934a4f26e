/**
 * The SSH runner: each PBS command runs on a login node through the system
 * `ssh`, so users' ~/.ssh/config (aliases, ProxyJump, ControlMaster sockets
 * and the MFA sessions they hold) applies as in their terminal.
 *
 * - `ssh -o BatchMode=yes -o ConnectTimeout=N [-p PORT] [-l USER] [OPTIONS] -- HOST COMMAND`:
 *   never a password or MFA prompt (a prompt would hang a server nobody watches).
 * - COMMAND is one string for the remote POSIX shell; every word is single-quoted
 *   (`remoteCommand`), so ids like `12[3].server` and any user text arrive as one literal argument.
 * - qsub's script goes on ssh's stdin; the working directory becomes `cd DIR &&`.
 * - The local `ssh` process is run by the real runner's process handling
 *   (`runProcess`): the same timeout, output caps and exit-code rules.
 * - ssh's own failures (exit 255 with ssh's message) become typed errors that
 *   say what to do; a remote command's own exit status is returned unchanged.
 *
 * On a timeout the local ssh is killed; without a terminal the remote command
 * is not signalled and may run on until it next writes (a hung qstat on a
 * login node stays hung, as it would for a user whose terminal closed).
 */

import { PbsError } from "./errors.ts";
import { readEnv } from "../env.ts";
import { checkArgv, type ProcessSettings, runProcess } from "./real_runner.ts";
import type {
  FileEnd,
  PbsInstallation,
  Runner,
  RunnerFiles,
  RunOptions,
  RunResult,
} from "./runner.ts";

export interface SshTarget {
  /** An ssh destination: a host name or a ~/.ssh/config alias. */
  host: string;
  user?: string;
  port?: number;
  /** Extra ssh arguments, e.g. `["-o", "ControlPath=~/.ssh/cm-%r@%h:%p"]`. */
  options?: readonly string[];
  /** PBS installation prefix on the remote side; absent: the remote PATH finds the commands. */
  pbsExec?: string;
}

export interface SshRunnerOptions {
  /** The ssh program; default `ssh` from PATH. */
  ssh?: string;
  /** Seconds ssh waits for the connection (ConnectTimeout); default 10. */
  connectTimeoutSeconds?: number;
  /** Environment of the local ssh process; default: this process's SSH_ENV_NAMES. */
  baseEnv?: Record<string, string>;
  defaultTimeoutMs?: number;
  defaultMaxOutputBytes?: number;
  killGraceMs?: number;
  /**
   * Programs besides PBS's that may run on the login node, by name on the
   * remote PATH (a site profile's allocation command, e.g. sbank); never under
   * the PBS prefix.
   */
  extraPrograms?: readonly string[];
}

/**
 * What the local ssh inherits, and nothing else: where it finds its config and
 * keys (HOME, USER), the agent (SSH_AUTH_SOCK), Kerberos tickets for GSSAPI
 * logins (KRB5CCNAME), and PATH for ProxyCommand helpers.
 */
export const SSH_ENV_NAMES: readonly string[] = [
  "HOME",
  "USER",
  "LOGNAME",
  "PATH",
  "SSH_AUTH_SOCK",
  "KRB5CCNAME",
  "TMPDIR",
];

/** `env` could not find the program (exit 127): `env: 'qstat': No such file or directory`. */
const NOT_FOUND_REMOTELY = /^env: .*(No such file or directory|not found)/m;

/** ssh exits with 255 when ssh itself failed (ssh(1), EXIT STATUS). */
const SSH_FAILED = 255;
const DEFAULT_CONNECT_TIMEOUT_S = 10;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One word for a POSIX shell: single quotes, with each `'` written as `'\''`. */
export function quoteForShell(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The remote command line for argv: `cd DIR && env LC_ALL=C [VAR=VALUE...] COMMAND ARGS...`. */
export function remoteCommand(
  argv: readonly string[],
  options: Pick<RunOptions, "cwd" | "env"> = {},
  pbsExec?: string,
): string {
  const [command, ...args] = argv;
  const program = pbsExec ? `${pbsExec.replace(/\/+$/, "")}/bin/${command}` : command;
  const assignments = Object.entries({ LC_ALL: "C", ...options.env }).map(([name, value]) => {
    if (!ENV_NAME.test(name)) {
      throw new PbsError({
        kind: "invalid_input",
        message: `Not an environment variable name: ${JSON.stringify(name)}.`,
        hint: "Use names of letters, digits and '_' that do not start with a digit.",
        command,
      });
    }
    return `${name}=${value}`;
  });
  const words = ["env", ...assignments, program, ...args].map(quoteForShell).join(" ");
  return options.cwd ? `cd ${quoteForShell(options.cwd)} && exec ${words}` : `exec ${words}`;
}

/**
 * The remote shell script that reads a file's end (`sh -c SCRIPT sh PATH N DIR...`:
 * the path, byte count and allowed directories arrive as arguments, never as
 * script text, and `sh` runs it whatever the login shell is). It resolves the
 * path (`readlink -f`), checks it lies inside a resolved allowed directory
 * (`~`: the login user's home there) and is a regular file, then prints its size, a newline, the resolved path, a NUL, and
 * its last N bytes. Exit codes: 3 missing, 4 not a regular file, 5 unreadable,
 * 6 outside the allowed directories.
 */
const READ_END_SCRIPT = [
  'p=$(readlink -f -- "$1") && [ -e "$p" ] || exit 3',
  "n=$2",
  "shift 2",
  "ok=",
  // `~` stands for the login user's home there (the default of an ssh cluster's allowed_dirs).
  'for d in "$@"; do [ "$d" = "~" ] && d=$HOME; r=$(readlink -f -- "$d") || continue; ' +
  'case $r in "") ;; /) ok=1 ;; ' +
  '*) case $p in "$r"|"$r"/*) ok=1 ;; esac ;; esac; done',
  // The sandbox first, as local reads do: what lies outside is refused whatever it is.
  '[ -n "$ok" ] || exit 6',
  '[ -f "$p" ] || exit 4',
  '[ -r "$p" ] || exit 5',
  's=$(wc -c < "$p") || exit 5',
  "printf '%s\\n%s\\000' $s \"$p\"",
  'exec tail -c "$n" -- "$p"',
].join("; ");

/**
 * Printed on stdout and stderr by every remote command line before the
 * command runs: whatever a login shell's start-up files print before it
 * (module banners, motd-like echoes in ~/.bashrc) is dropped up to this line,
 * so it cannot corrupt PBS's output or its error messages.
 */
const OUTPUT_MARK = "@@pbs-mcp-output@@";
const MARK_LINE = `printf '%s\\n' '${OUTPUT_MARK}'; printf '%s\\n' '${OUTPUT_MARK}' >&2; `;

/** `text` after the first mark line, or all of it when there is none. */
function afterMark(text: string): string {
  const at = text.indexOf(`${OUTPUT_MARK}\n`);
  return at < 0 ? text : text.slice(at + OUTPUT_MARK.length + 1);
}

function bytesAfterMark(bytes: Uint8Array): Uint8Array {
  const mark = new TextEncoder().encode(`${OUTPUT_MARK}\n`);
  search: for (let i = 0; i + mark.length <= bytes.length; i++) {
    for (let j = 0; j < mark.length; j++) if (bytes[i + j] !== mark[j]) continue search;
    return bytes.subarray(i + mark.length);
  }
  return bytes;
}

/** Room for READ_END_SCRIPT's size line and path (PATH_MAX) before the bytes. */
const READ_END_HEADER_BYTES = 8192;

export class SshRunner implements Runner {
  readonly #target: SshTarget;
  readonly #options: SshRunnerOptions;
  readonly #settings: ProcessSettings;
  /** Jobs' output files on the login node, read through the same connection. */
  readonly remoteFiles: RunnerFiles;

  constructor(target: SshTarget, options: SshRunnerOptions = {}) {
    if (target.host === "" || target.host.startsWith("-") || /\s/.test(target.host)) {
      throw new PbsError({
        kind: "invalid_input",
        message: `Not an ssh destination: ${JSON.stringify(target.host)}.`,
        hint: "Give a host name or a Host alias from ~/.ssh/config (no spaces, not starting " +
          "with '-').",
      });
    }
    this.#target = target;
    this.#options = options;
    this.remoteFiles = {
      where: `on the login node ${target.host}`,
      readEnd: (path, options) => this.#readEnd(path, options),
    };
    this.#settings = {
      baseEnv: options.baseEnv ?? readEnv(SSH_ENV_NAMES),
      defaultTimeoutMs: options.defaultTimeoutMs,
      defaultMaxOutputBytes: options.defaultMaxOutputBytes,
      killGraceMs: options.killGraceMs,
    };
  }

  /** The ssh arguments before the remote command. */
  sshArgs(): string[] {
    const { host, user, port, options = [] } = this.#target;
    const timeout = this.#options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_S;
    return [
      "-o",
      "BatchMode=yes",
      "-o",
      `ConnectTimeout=${timeout}`,
      ...(port !== undefined ? ["-p", String(port)] : []),
      ...(user !== undefined ? ["-l", user] : []),
      ...options,
      "--",
      host,
    ];
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const extra = this.#options.extraPrograms ?? [];
    const command = checkArgv(argv, extra);
    const remote = remoteCommand(
      argv,
      options,
      extra.includes(command) ? undefined : this.#target.pbsExec,
    );
    // The command runs remotely: no local working directory, and its environment travels in
    // the remote command line rather than ssh's.
    const local: RunOptions = { ...options, cwd: undefined, env: undefined };
    const { stdoutBytes: _, ...result } = await this.#ssh(command, remote, local);
    if (result.code === 127 && NOT_FOUND_REMOTELY.test(result.stderr)) {
      throw new PbsError({
        kind: "command_not_found",
        message: `${command} was not found on ${this.#target.host} ` +
          `(${this.#target.pbsExec ? `in ${this.#target.pbsExec}/bin` : "on the remote PATH"}).`,
        hint: "Set the cluster's pbs_exec to the PBS installation on the login node (the " +
          "directory holding bin/qstat; `ssh HOST command -v qstat` shows where it is).",
        pbsMessage: result.stderr.trim().slice(0, 500) || undefined,
        command,
      });
    }
    return result;
  }

  /**
   * Runs `line` on the login node through ssh: the mark line first (start-up
   * noise dropped), ssh's own failures (exit 255) and a missing local ssh as
   * typed errors that say what to do.
   */
  async #ssh(
    label: string,
    line: string,
    options: RunOptions,
  ): Promise<RunResult & { stdoutBytes: Uint8Array }> {
    let result;
    try {
      result = await runProcess(
        "ssh",
        this.#options.ssh ?? "ssh",
        [...this.sshArgs(), MARK_LINE + line],
        options,
        this.#settings,
      );
    } catch (error) {
      if (error instanceof PbsError && error.kind === "command_not_found") {
        throw new PbsError({
          kind: "command_not_found",
          message: `ssh was not found on this machine, so ${label} cannot run on ` +
            `${this.#target.host}.`,
          hint: "Install the OpenSSH client (ssh) and make sure it is on the server's PATH.",
          command: label,
        });
      }
      throw error;
    }
    if (result.code === SSH_FAILED && !result.timedOut) {
      const failure = sshFailure(result.stderr, this.#target.host, label);
      if (failure) throw failure;
    }
    return {
      ...result,
      stdout: afterMark(result.stdout),
      stderr: afterMark(result.stderr),
      stdoutBytes: bytesAfterMark(result.stdoutBytes),
    };
  }

  /**
   * One ssh call (READ_END_SCRIPT): resolve and check, then `tail -c`, so a
   * login node behind MFA costs one connection per read. The file could be
   * swapped between the check and the read, as it could locally.
   */
  async #readEnd(
    path: string,
    options: { allowedDirs: readonly string[]; maxBytes: number; timeoutMs?: number },
  ): Promise<FileEnd | undefined> {
    const host = this.#target.host;
    if (!path.startsWith("/") || path.includes("\0")) {
      throw new PbsError({
        kind: "invalid_input",
        message: `path ${JSON.stringify(path)} is not an absolute path`,
        hint: "Give an absolute path on the login node, e.g. /home/alice/run/job.o123.",
      });
    }
    const words = ["sh", "-c", READ_END_SCRIPT, "sh", path, String(options.maxBytes)];
    const line = `exec ${[...words, ...options.allowedDirs].map(quoteForShell).join(" ")}`;
    const result = await this.#remote(
      "tail",
      line,
      options.timeoutMs,
      options.maxBytes + READ_END_HEADER_BYTES,
    );
    const why = result.stderr.trim() || undefined;
    if (result.timedOut) {
      throw new PbsError({
        kind: "timeout",
        message: `Reading ${path} on ${host} took too long.`,
        hint: "Try again; a slow login node or filesystem can stall reads.",
        pbsMessage: why,
      });
    }
    switch (result.code) {
      case 0:
        break;
      case 3:
        return undefined;
      case 4:
        throw new PbsError({
          kind: "invalid_input",
          message: `${path} on ${host} is not a regular file`,
          hint: "Only regular files are read; give the path of an ordinary file.",
        });
      case 5:
        throw new PbsError({
          kind: "invalid_input",
          message: `${path} on ${host} cannot be read`,
          hint: `Check that the login user may read it: \`ssh ${host} ls -l ${path}\`.`,
          pbsMessage: why,
        });
      case 6:
        throw new PbsError({
          kind: "permission_denied",
          message: `${path} is outside the directories this server may read on ${host}`,
          hint: `Allowed directories: ${options.allowedDirs.join(", ") || "(none)"}; widen ` +
            "them with the cluster's allowed_dirs.",
        });
      default:
        throw new PbsError({
          kind: "pbs_error",
          message: `Could not read ${path} on ${host} (exit code ${result.code}).`,
          hint: `Run \`ssh ${host} ls -l ${path}\` in a terminal to see why.`,
          pbsMessage: why,
        });
    }
    const bytes = result.stdoutBytes;
    const newline = bytes.indexOf(0x0a);
    const nul = bytes.indexOf(0x00, newline + 1);
    const sizeBytes = Number(new TextDecoder().decode(bytes.subarray(0, newline)).trim());
    if (newline < 0 || nul < 0 || !Number.isSafeInteger(sizeBytes)) {
      throw new PbsError({
        kind: "parse_error",
        message: `Reading ${path} on ${host} gave an answer this server cannot read.`,
        hint: "The login node's sh, readlink, wc or tail behave unexpectedly; check that they " +
          "are the usual POSIX/GNU tools.",
      });
    }
    return {
      path: new TextDecoder().decode(bytes.subarray(newline + 1, nul)),
      bytes: bytes.subarray(nul + 1),
      sizeBytes,
    };
  }

  /**
   * Who PBS acts as on the login node (`id -un`, as PBS's getpwuid() sees
   * the remote login) and that user's home directory there.
   */
  async whoami(timeoutMs?: number): Promise<{ user: string; home: string }> {
    const result = await this.#remote(
      "whoami",
      `id -un && printf '%s\\n' "$HOME"`,
      timeoutMs,
      4096,
    );
    const [user = "", home = ""] = result.stdout.split("\n").map((l) => l.trim());
    if (result.code !== 0 || result.timedOut || user === "") {
      throw new PbsError({
        kind: result.timedOut ? "timeout" : "server_unreachable",
        message: `Could not ask ${this.#target.host} who the remote user is.`,
        hint: `Run \`ssh ${this.#target.host} id -un\` in a terminal to see why.`,
        pbsMessage: result.stderr.trim() || undefined,
      });
    }
    return { user, home };
  }

  /** Runs a fixed remote command line (not a PBS command), mapping ssh's own failures. */
  async #remote(
    label: string,
    line: string,
    timeoutMs: number | undefined,
    maxOutputBytes: number,
  ): Promise<RunResult & { stdoutBytes: Uint8Array }> {
    return await this.#ssh(label, line, { timeoutMs, maxOutputBytes });
  }

  /**
   * The user ssh logs in as, from ssh's own configuration (`ssh -G`: the
   * `-l`/`User` settings, else the local name), without connecting: who PBS
   * acts as when the login node cannot be asked.
   */
  async configuredUser(): Promise<string | undefined> {
    try {
      const result = await runProcess(
        "ssh",
        this.#options.ssh ?? "ssh",
        ["-G", ...this.sshArgs()],
        { timeoutMs: 5_000, maxOutputBytes: 256 * 1024 },
        this.#settings,
      );
      if (result.code !== 0) return undefined;
      return /^user (\S+)$/m.exec(result.stdout)?.[1];
    } catch {
      return undefined;
    }
  }

  describeInstallation(): PbsInstallation {
    const where = this.#target.pbsExec ? `${this.#target.pbsExec}/bin` : "the remote PATH";
    return {
      source: "unknown",
      description: `PBS commands from ${where} on ${this.#target.host}, run through ssh`,
    };
  }
}

/**
 * ssh's own failure messages (OpenSSH ssh.c, sshconnect.c, mux.c) and what to do about each,
 * first match wins: a dead control socket explains the login failure that follows it, and a
 * refused login often ends with "Connection closed by", which alone means unreachable.
 */
const SSH_FAILURES: Array<{
  pattern: RegExp;
  kind: "server_unreachable" | "permission_denied";
  message: (host: string) => string;
  hint: (host: string) => string;
}> = [
  {
    pattern: /^Control ?socket connect|ControlSocket .* already exists|mux_client_/m,
    kind: "permission_denied",
    message: (host) => `The ssh control socket for ${host} is missing or dead.`,
    hint: (host) =>
      `Open a master connection once from a terminal (it asks for your password/MFA there): ` +
      `\`ssh -fNM ${host}\`; the server reuses it while it lives.`,
  },
  {
    pattern: /Could not resolve hostname/,
    kind: "server_unreachable",
    message: (host) => `ssh cannot resolve the login node's name ${host}.`,
    hint: () =>
      "Check the host name, or the Host alias and HostName in ~/.ssh/config, and your network " +
      "(VPN).",
  },
  {
    pattern:
      /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key .* not known/i,
    kind: "permission_denied",
    message: (host) => `ssh refused ${host}: its host key is unknown or has changed.`,
    hint: (host) =>
      `Connect once from a terminal (\`ssh ${host}\`) and check the key against your centre's ` +
      "published fingerprints before accepting it; a changed key may mean an attack or a " +
      "reinstalled node (see ssh-keygen -R).",
  },
  {
    pattern:
      /Permission denied \(|Too many authentication failures|no more authentication methods/i,
    kind: "permission_denied",
    message: (host) => `ssh could not log in to ${host} without a prompt (BatchMode).`,
    hint: (host) =>
      "Load your key into ssh-agent (`ssh-add`), or, where the centre requires a password or " +
      `MFA, open a master connection from a terminal with \`ssh -fNM ${host}\` (ControlMaster/` +
      "ControlPath set in ~/.ssh/config) so the server can reuse it.",
  },
  {
    pattern:
      /Connection refused|Connection timed out|timed out during banner|No route to host|Network is unreachable|Connection closed by|Connection reset/,
    kind: "server_unreachable",
    message: (host) => `The login node ${host} is not reachable over ssh.`,
    hint: (host) =>
      `Check that ${host} is up and that you can reach it (VPN, ProxyJump): try \`ssh ${host}\` ` +
      "in a terminal.",
  },
];

/** A typed error for ssh's own failure, or undefined when the 255 came from the remote command. */
export function sshFailure(stderr: string, host: string, command: string): PbsError | undefined {
  const text = stderr.trim();
  for (const failure of SSH_FAILURES) {
    if (failure.pattern.test(text)) {
      return new PbsError({
        kind: failure.kind,
        message: failure.message(host),
        hint: failure.hint(host),
        pbsMessage: text,
        command,
        exitCode: SSH_FAILED,
      });
    }
  }
  if (/^ssh: /m.test(text)) {
    return new PbsError({
      kind: "server_unreachable",
      message: `ssh to ${host} failed before ${command} could run.`,
      hint: `Run \`ssh ${host} true\` in a terminal to see why.`,
      pbsMessage: text,
      command,
      exitCode: SSH_FAILED,
    });
  }
  return undefined;
}
