/**
 * The audit log: one JSON line per state-changing call, written and flushed
 * to disk before the call's result is returned. If the line cannot be
 * written the action is refused (the caller checks `ready()` before acting),
 * so no change happens that the log does not show.
 *
 * Lines carry no secrets: arguments, argv and messages go through redact.ts.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { dirname, join } from "node:path";
import { PbsError } from "../pbs/errors.ts";
import type { Runner, RunnerFiles, RunOptions, RunResult } from "../pbs/runner.ts";
import { redactArgv, redactText, redactValue } from "./redact.ts";

/** How a destructive action was confirmed (see confirm.ts). */
export type ConfirmationOutcome =
  | "not_needed"
  | "confirmed"
  | "declined"
  | "unconfirmed"
  | "refused";

export interface AuditCommand {
  argv: string[];
  exit_code: number;
  timed_out?: boolean;
}

export interface AuditEntry {
  time: string;
  tool: string;
  caller: string;
  arguments: unknown;
  commands: AuditCommand[];
  job_ids: string[];
  confirmation: ConfirmationOutcome;
  result: "ok" | "error";
  error?: { kind: string; message: string };
}

/**
 * Where the log goes when PBS_MCP_AUDIT_LOG is not set: the user's state
 * directory. Always under $HOME (not $XDG_STATE_HOME), so the permission flags
 * of the shipped tasks and configurations can name it exactly.
 */
export function defaultAuditPath(home: string | undefined): string | undefined {
  return home ? join(home, ".local", "state", "pbs-mcp", "audit.jsonl") : undefined;
}

export class AuditLog {
  /** Absent when neither PBS_MCP_AUDIT_LOG nor HOME is set: then every change is refused. */
  readonly path: string | undefined;
  #prepared = false;

  constructor(path: string | undefined) {
    this.path = path;
  }

  /**
   * Makes sure a line can be written: the directory exists (created 0700) and
   * the file opens for appending (created 0600). Throws `audit_unavailable`
   * with the fix when not.
   */
  async ready(): Promise<void> {
    if (this.#prepared) return;
    if (this.path === undefined) {
      throw new PbsError({
        kind: "audit_unavailable",
        message: "no audit log is configured (PBS_MCP_AUDIT_LOG and HOME are unset), so no " +
          "change was made",
        hint: "Set PBS_MCP_AUDIT_LOG to a file the server may write, and restart it.",
      });
    }
    try {
      await Deno.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      const file = await Deno.open(this.path, { append: true, create: true, mode: 0o600 });
      file.close();
      this.#prepared = true;
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  /** Appends one line and flushes it to disk; throws `audit_unavailable` if it cannot. */
  async append(entry: AuditEntry): Promise<void> {
    const line = JSON.stringify(entry) + "\n";
    let file: Deno.FsFile | undefined;
    try {
      await this.ready();
      file = await Deno.open(this.path!, { append: true, create: true, mode: 0o600 });
      const bytes = new TextEncoder().encode(line);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.syncData();
    } catch (error) {
      throw error instanceof PbsError ? error : this.#unavailable(error);
    } finally {
      file?.close();
    }
  }

  #unavailable(error: unknown): PbsError {
    const why = error instanceof Error ? error.message : String(error);
    const dir = dirname(this.path!);
    return new PbsError({
      kind: "audit_unavailable",
      message: `the audit log ${this.path} cannot be written (${why}), so no change was made`,
      hint: `Let the server write ${dir} (create it and give it write ` +
        `permission, and add it to Deno's --allow-write), or point PBS_MCP_AUDIT_LOG at a ` +
        "writable file.",
    });
  }
}

/** The PBS commands one call ran, collected while it runs. */
interface CallRecord {
  commands: AuditCommand[];
}

const currentCall = new AsyncLocalStorage<CallRecord>();

/**
 * A runner that notes every command (argv, redacted, and its exit code) in
 * the record of the call it runs for, if any. It wraps the real runner once;
 * `recordCommands` opens a record around one call.
 */
export class RecordingRunner implements Runner {
  readonly #inner: Runner;

  constructor(inner: Runner) {
    this.#inner = inner;
  }

  /** File reads are not PBS commands: not recorded. */
  get remoteFiles(): RunnerFiles | undefined {
    return this.#inner.remoteFiles;
  }

  async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    const record = currentCall.getStore();
    try {
      const result = await this.#inner.run(argv, options);
      record?.commands.push({
        argv: redactArgv(argv),
        exit_code: result.code,
        ...(result.timedOut ? { timed_out: true } : {}),
      });
      return result;
    } catch (error) {
      record?.commands.push({ argv: redactArgv(argv), exit_code: -1 });
      throw error;
    }
  }
}

/** Runs `action` and returns its outcome with the commands it ran. */
export async function recordCommands<T>(
  action: () => Promise<T>,
): Promise<{ commands: AuditCommand[]; outcome: { value: T } | { error: unknown } }> {
  const record: CallRecord = { commands: [] };
  try {
    const value = await currentCall.run(record, action);
    return { commands: record.commands, outcome: { value } };
  } catch (error) {
    return { commands: record.commands, outcome: { error } };
  }
}

/** Builds an entry from a finished call: arguments and messages redacted. */
export function auditEntry(fields: {
  tool: string;
  caller: string;
  arguments: unknown;
  commands: AuditCommand[];
  jobIds: string[];
  confirmation: ConfirmationOutcome;
  error?: { kind: string; message: string };
  now?: Date;
}): AuditEntry {
  return {
    time: (fields.now ?? new Date()).toISOString(),
    tool: fields.tool,
    caller: fields.caller,
    arguments: redactValue(fields.arguments),
    commands: fields.commands,
    job_ids: fields.jobIds,
    confirmation: fields.confirmation,
    result: fields.error ? "error" : "ok",
    ...(fields.error
      ? { error: { kind: fields.error.kind, message: redactText(fields.error.message) } }
      : {}),
  };
}
