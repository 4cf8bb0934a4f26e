/**
 * PBS error numbers → the text PBS prints, and how each client turns a
 * failure into a stderr line and an exit code.
 *
 * Facts from OpenPBS 23.06 (src/lib/Liblog/pbs_messages.c and the goldens):
 * - most IFL clients exit with `pbs_errno & 0xFF`;
 * - several messages carry a trailing space (`Unauthorized Request `,
 *   `Unknown node `), which is why `qdel` prints two spaces before the id;
 * - the server appends the attribute name to some messages
 *   (`Illegal attribute or resource value Resource_List.walltime`).
 */

import { PBSE, SimError } from "./model.ts";

const MESSAGES: Record<number, string> = {
  [PBSE.UNKJOBID]: "Unknown Job Id",
  [PBSE.NOATTR]: "Undefined attribute ",
  [PBSE.ATTRRO]: "Cannot set attribute, read only or insufficient permission ",
  [PBSE.IVALREQ]: "Invalid request",
  [PBSE.UNKREQ]: "Unknown request",
  [PBSE.PERM]: "Unauthorized Request ",
  [PBSE.BADHOST]: "Access from host not allowed, or unknown host",
  [PBSE.JOBEXIST]: "Job with requested ID already exists",
  [PBSE.SYSTEM]: "System error: ",
  [PBSE.INTERNAL]: "PBS server internal error",
  [PBSE.UNKSIG]: "Unknown/illegal signal name",
  [PBSE.BADATVAL]: "Illegal attribute or resource value",
  [PBSE.MODATRRUN]: "Cannot modify attribute while job running ",
  [PBSE.BADSTATE]: "Request invalid for state of job",
  [PBSE.UNKQUE]: "Unknown queue",
  [PBSE.BADCRED]: "Invalid credential",
  [PBSE.EXPIRED]: "Expired credential",
  [PBSE.QUNOENB]: "Queue is not enabled",
  [PBSE.QACESS]: "Access to queue is denied",
  // The server's full text is longer; the goldens show what qsub printed.
  [PBSE.BADUSER]: "Bad UID for job execution",
  [PBSE.BADDEPEND]: "Invalid Job Dependency",
  [PBSE.QUENBIG]: "Queue name too long",
  [PBSE.QUEBUSY]: "Cannot delete busy queue",
  [PBSE.QUENOEN]: "Cannot enable queue, incomplete definition",
  [PBSE.UNKRESC]: "Unknown resource",
  [PBSE.EXCQRESC]: "Job violates queue and/or server resource limits",
  [PBSE.QUENODFLT]: "No default queue specified",
  [PBSE.NORERUN]: "job is not rerunnable",
  [PBSE.ROUTEREJ]: "Route rejected by all destinations",
  [PBSE.UNKNODE]: "Unknown node ",
  [PBSE.UNKRESVID]: "Unknown Reservation Id",
  [PBSE.RESVEXIST]: "Reservation with requested ID already exists",
  [PBSE.BADTSPEC]: "Bad time specification(s)",
  [PBSE.R_UID]: "Bad effective UID for reservation",
  [PBSE.MaxArraySize]: "Array job exceeds server or queue size limit",
  [PBSE.HISTJOBID]: "Job has finished",
  [PBSE.PLACENOSELECT]: 'Cannot have "place" without "select"',
  [PBSE.HOOKERROR]: "hook error",
};

/** Errors whose server text names the attribute concerned (`... Resource_List.walltime`). */
const NAMES_ATTRIBUTE = new Set<number>([
  PBSE.NOATTR,
  PBSE.ATTRRO,
  PBSE.BADATVAL,
  PBSE.MODATRRUN,
  PBSE.UNKRESC,
]);

/** The text PBS prints for `errno` (without any detail). */
export function pbsMessage(errno: number): string {
  return MESSAGES[errno] ?? `Error ${errno}`;
}

/** The message with the attribute detail appended where PBS's server appends it. */
export function serverMessage(error: SimError): string {
  if (error.text !== undefined) return error.text;
  const base = pbsMessage(error.errno);
  return NAMES_ATTRIBUTE.has(error.errno) && error.detail ? `${base} ${error.detail}` : base;
}

/** Exit code of an IFL client after a server error: the low byte of pbs_errno. */
export function exitCodeOf(errno: number): number {
  return errno & 0xff;
}

/** Anything a command module may throw that is not a SimError is a bug: rethrow it. */
export function asSimError(error: unknown): SimError {
  if (error instanceof SimError) return error;
  throw error;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
  code: number;
}

export function ok(stdout = "", stderr = ""): CommandOutput {
  return { stdout, stderr, code: 0 };
}

export function fail(code: number, stderr: string, stdout = ""): CommandOutput {
  return { stdout, stderr, code };
}

/**
 * `qdel: Unauthorized Request  12.vm`: the job-operation line (qdel, qhold,
 * qrls, qalter, qmove, qsig, qrerun, qrun, qmsg). PBS leaves the id off
 * `Job has finished` for everything but qdel.
 */
export function jobOpLine(command: string, error: SimError, jobId: string): string {
  const text = serverMessage(error);
  if (error.errno === PBSE.HISTJOBID && command !== "qdel") return `${command}: ${text}\n`;
  return `${command}: ${text} ${jobId}\n`;
}

/** The name of the server as clients print it in `cannot connect` lines. */
export interface DownContext {
  command: string;
  server: string;
}

/**
 * What each client prints when pbs_server is not running: `Connection refused`
 * from the connect attempt, then the client's own line. Exit codes differ per
 * client (qstat 255, pbsnodes 1, qmgr 3, most others 162 = 15010 & 0xFF).
 */
export function serverDownOutput({ command, server }: DownContext): CommandOutput {
  const refused = "Connection refused\n";
  switch (command) {
    case "qstat":
      return fail(255, `${refused}qstat: cannot connect to server ${server} (errno=15010)\n`);
    case "pbsnodes":
      return fail(1, `${refused}pbsnodes: cannot connect to server ${server}, error=15010\n`);
    case "qmgr":
      return fail(3, `${refused}qmgr: cannot connect to server \n`);
    case "qdel":
      return fail(162, `${refused}Couldn't connect to cluster: ${server}\n`);
    case "pbs_rstat":
      return fail(162, `${refused}pbs_rstat: cannot connect to server (errno=15010)\n`);
    case "qterm":
    case "qrun":
      return fail(2, `${refused}${command}: cannot connect to server ${server} (errno=15010)\n`);
    default:
      return fail(162, `${refused}${command}: cannot connect to server ${server} (errno=15010)\n`);
  }
}
