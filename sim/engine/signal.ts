/**
 * `qsig`: signals by name or number, harmless ones ignored, others killing the
 * job (256 + signal), and suspend/resume (OpenPBS src/server/req_signal.c).
 */
import type { EngineState } from "./state.ts";
import type { JobRecord } from "../job_record.ts";
import { type Caller, PBSE, SimError } from "../model.ts";
import { afterChange } from "./cycle.ts";
import { isHistory } from "./job_state.ts";
import { planEnd, terminate, usedWalltime } from "./lifecycle.ts";

export const SIGNALS: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
};

/** Signals a shell does not die of. */
export const HARMLESS_SIGNALS = new Set([0, 17, 18, 19, 20, 21, 22, 23, 28]);

export function signalJob(engine: EngineState, caller: Caller, id: string, signal: string): void {
  engine.requireUp();
  const job = engine.lookup(id);
  engine.ownerOrPrivileged(caller, job);
  if (isHistory(job)) throw new SimError(PBSE.HISTJOBID, job.id);
  const word = signal.toLowerCase();
  if (word === "suspend" || word === "resume") {
    if (!engine.isPrivileged(caller)) throw new SimError(PBSE.PERM, job.id);
    if (word === "suspend") suspend(engine, job);
    else resume(engine, job);
    afterChange(engine);
    return;
  }
  const number = signalNumber(signal);
  if (number === undefined) throw new SimError(PBSE.UNKSIG, job.id);
  if (job.state !== "R" && job.state !== "S" && job.state !== "E") {
    throw new SimError(PBSE.BADSTATE, job.id);
  }
  if (job.state === "E" || HARMLESS_SIGNALS.has(number)) return;
  terminate(engine, job, 256 + number, "signal");
  afterChange(engine);
}

export function suspend(engine: EngineState, job: JobRecord): void {
  if (job.state !== "R") throw new SimError(PBSE.BADSTATE, job.id);
  const now = engine.now();
  job.remainingRuntime = Math.max(0, job.behaviour.runtimeSeconds - usedWalltime(engine, job));
  job.suspendedAt = now;
  job.state = "S";
  job.substate = 43;
  job.mtime = now;
  job.runToken++;
  job.endAt = undefined;
}

export function resume(engine: EngineState, job: JobRecord): void {
  if (job.state !== "S") throw new SimError(PBSE.BADSTATE, job.id);
  const now = engine.now();
  job.suspendedSeconds += now - job.suspendedAt!;
  job.suspendedAt = undefined;
  job.state = "R";
  job.substate = 42;
  job.mtime = now;
  job.runToken++;
  planEnd(engine, job, job.remainingRuntime ?? 0);
}

export function signalNumber(signal: string): number | undefined {
  if (/^\d+$/.test(signal)) {
    const n = Number(signal);
    return n <= 64 ? n : undefined;
  }
  const name = signal.toUpperCase().replace(/^SIG/, "");
  return SIGNALS[name];
}
