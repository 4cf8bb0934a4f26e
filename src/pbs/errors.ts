/**
 * Typed PBS errors. Every failure that reaches a user is a PbsError: a stable
 * `kind` a program can switch on, a plain-language message, PBS's own text kept
 * verbatim, and a concrete hint for fixing it.
 *
 * The mapping from a failed command (exit code + stderr) to a PbsError lives in
 * `catalogue.ts`.
 */

export type PbsErrorKind =
  | "unknown_job"
  | "job_finished"
  | "permission_denied"
  | "unknown_queue"
  | "queue_disabled"
  | "resource_limit"
  /**
   * No destination of a routing queue took the job, so PBS dropped it — after
   * qsub printed its id (PBS routes asynchronously) or in qsub's own answer
   * ("Job rejected by all possible destinations").
   */
  | "job_discarded"
  | "unknown_resource"
  | "illegal_value"
  | "bad_dependency"
  | "invalid_state"
  | "unknown_node"
  | "unknown_reservation"
  | "bad_time"
  | "script_not_found"
  | "usage"
  | "server_unreachable"
  | "timeout"
  | "command_not_found"
  | "output_too_large"
  | "parse_error"
  | "invalid_input"
  // Refusals of this server's own policy (service/limits.ts, audit.ts, confirm.ts):
  | "limit_exceeded"
  | "audit_unavailable"
  | "not_confirmed"
  | "pbs_error";

export interface PbsErrorDetails {
  kind: PbsErrorKind;
  /** Plain-language description of what went wrong. */
  message: string;
  /** A concrete next step for the user. */
  hint: string;
  /** PBS's own text (stderr), verbatim, when PBS produced one. */
  pbsMessage?: string;
  /** The PBS command that failed (`qsub`, `qstat`, ...). */
  command?: string;
  /** Its exit code. */
  exitCode?: number;
  /** PBS error number when it can be derived (exit code = pbs_errno & 0xFF for IFL commands). */
  pbsErrno?: number;
}

export class PbsError extends Error {
  readonly kind: PbsErrorKind;
  readonly hint: string;
  readonly pbsMessage?: string;
  readonly command?: string;
  readonly exitCode?: number;
  readonly pbsErrno?: number;

  constructor(details: PbsErrorDetails) {
    super(details.message);
    this.name = "PbsError";
    this.kind = details.kind;
    this.hint = details.hint;
    this.pbsMessage = details.pbsMessage;
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.pbsErrno = details.pbsErrno;
  }

  /** A plain object, safe to serialise into a tool result (no stack trace). */
  toJSON(): PbsErrorDetails {
    return {
      kind: this.kind,
      message: this.message,
      hint: this.hint,
      pbsMessage: this.pbsMessage,
      command: this.command,
      exitCode: this.exitCode,
      pbsErrno: this.pbsErrno,
    };
  }
}

/** Shorthand for rejecting a user value before it reaches an argv. */
export function invalidInput(message: string, hint: string): PbsError {
  return new PbsError({ kind: "invalid_input", message, hint });
}

export function isPbsError(value: unknown): value is PbsError {
  return value instanceof PbsError;
}
