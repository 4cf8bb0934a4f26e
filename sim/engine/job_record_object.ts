/**
 * The one class every job record is an instance of. Its constructor lays out
 * every field in one fixed order, so all records share one object shape (the
 * scheduler's per-job reads stay fast at tens of thousands of jobs), and a
 * record costs one allocation: setting a shared prototype on each freshly
 * built object instead (`Object.setPrototypeOf`) cost ~3 µs a record, 18,000
 * times in the aurora scenario's build.
 *
 * A record's run texts — `exec_vnode`, `exec_host` and the comment — are
 * accessors of the class over own backing fields (`execVnodeText`, ...). A
 * fabricated history run (fabricate.ts) renders each on first read instead:
 * the aurora scenario's 18,000 history jobs would otherwise build tens of MB
 * of vnode text at start-up that most sessions never show. Once read or
 * written, such a record's text is a plain own value. (Redefining the three
 * properties on each history record instead turned 18,000 records into
 * dictionaries of ~3 KB each.)
 */
import type { EndKind, JobRecord } from "../job_record.ts";

export type RunTextName = "execVnode" | "execHost" | "comment";

/** A fabricated run's texts, rendered on demand. */
export interface PendingRunTexts {
  render(name: RunTextName): string;
}

/** Every field of a job record but the run text accessors, each one given (maybe undefined). */
export type JobRecordFields = {
  [K in Exclude<keyof JobRecord, RunTextName>]-?: JobRecord[K] | undefined;
};

/** A fabricated record's text becomes an own data property (shadowing the accessor). */
function settle(record: JobRecord, name: RunTextName, value: string | undefined): void {
  Object.defineProperty(record, name, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

type Field<K extends keyof JobRecord> = JobRecord[K];

/** A job record: `new JobRecordObject({...every field})` (submit.ts, arrays.ts). */
export class JobRecordObject implements JobRecord {
  declare seq: number;
  declare id: string;
  declare name: string;
  declare owner: string;
  declare user: string;
  declare state: Field<"state">;
  declare substate: number;
  declare queue: string;
  declare account: string | undefined;
  declare project: string;
  declare priority: number;
  declare holds: string;
  declare resources: Field<"resources">;
  declare used: Field<"used">;
  declare allocation: Field<"allocation">;
  declare ctime: number;
  declare qtime: number;
  declare mtime: number;
  declare executionTime: number | undefined;
  declare runCount: number;
  declare outputPath: string;
  declare errorPath: string;
  declare joinPath: string;
  declare keepFiles: string;
  declare mailPoints: string;
  declare mailUsers: string | undefined;
  declare rerunnable: boolean;
  declare variables: Field<"variables">;
  declare submitArguments: string;
  declare submitHost: string;
  declare workdir: string;
  declare script: string;
  declare command: string[] | undefined;
  declare behaviour: Field<"behaviour">;
  declare reservation: string | undefined;
  declare rank: number;
  declare chunks: Field<"chunks">;
  declare placement: Field<"placement">;
  declare walltime: number | undefined;
  declare fromQueueDefaults: string[];
  declare takes: Field<"takes">;
  declare runToken: number;
  declare suspendedSeconds: number;
  declare cpuLoad: number;
  declare memUsedKb: number;
  declare vmemUsedKb: number;
  declare homeDir: string;
  declare stagedOut: boolean;
  declare dependents: Set<string> | undefined;
  declare waitsOn: Field<"waitsOn">;
  declare execHostText: string | undefined;
  declare execVnodeText: string | undefined;
  declare commentText: string | undefined;
  declare pendingRunTexts: PendingRunTexts | undefined;
  declare sessionId: number | undefined;
  declare etime: number | undefined;
  declare stime: number | undefined;
  declare obittime: number | undefined;
  declare estimatedStartTime: number | undefined;
  declare estimatedTakes: Field<"estimatedTakes">;
  declare exitStatus: number | undefined;
  declare depend: string | undefined;
  declare array: Field<"array">;
  declare parentId: string | undefined;
  declare arrayIndex: number | undefined;
  declare historyTime: number | undefined;
  declare endAt: number | undefined;
  declare endKind: EndKind | undefined;
  declare pendingExit: number | undefined;
  declare terminatedBy: string | undefined;
  declare remainingRuntime: number | undefined;
  declare suspendedAt: number | undefined;
  declare awaitedRegistrations: number | undefined;
  declare exitingUntil: number | undefined;
  declare neverRunMemo: Field<"neverRunMemo">;

  constructor(f: JobRecordFields) {
    this.seq = f.seq!;
    this.id = f.id!;
    this.name = f.name!;
    this.owner = f.owner!;
    this.user = f.user!;
    this.state = f.state!;
    this.substate = f.substate!;
    this.queue = f.queue!;
    this.account = f.account;
    this.project = f.project!;
    this.priority = f.priority!;
    this.holds = f.holds!;
    this.resources = f.resources!;
    this.used = f.used!;
    this.allocation = f.allocation!;
    this.ctime = f.ctime!;
    this.qtime = f.qtime!;
    this.mtime = f.mtime!;
    this.executionTime = f.executionTime;
    this.runCount = f.runCount!;
    this.outputPath = f.outputPath!;
    this.errorPath = f.errorPath!;
    this.joinPath = f.joinPath!;
    this.keepFiles = f.keepFiles!;
    this.mailPoints = f.mailPoints!;
    this.mailUsers = f.mailUsers;
    this.rerunnable = f.rerunnable!;
    this.variables = f.variables!;
    this.submitArguments = f.submitArguments!;
    this.submitHost = f.submitHost!;
    this.workdir = f.workdir!;
    this.script = f.script!;
    this.command = f.command;
    this.behaviour = f.behaviour!;
    this.reservation = f.reservation;
    this.rank = f.rank!;
    this.chunks = f.chunks!;
    this.placement = f.placement!;
    this.walltime = f.walltime;
    this.fromQueueDefaults = f.fromQueueDefaults!;
    this.takes = f.takes!;
    this.runToken = f.runToken!;
    this.suspendedSeconds = f.suspendedSeconds!;
    this.cpuLoad = f.cpuLoad!;
    this.memUsedKb = f.memUsedKb!;
    this.vmemUsedKb = f.vmemUsedKb!;
    this.homeDir = f.homeDir!;
    this.stagedOut = f.stagedOut!;
    this.dependents = f.dependents;
    this.waitsOn = f.waitsOn!;
    this.execHostText = f.execHostText;
    this.execVnodeText = f.execVnodeText;
    this.commentText = f.commentText;
    this.pendingRunTexts = f.pendingRunTexts;
    this.sessionId = f.sessionId;
    this.etime = f.etime;
    this.stime = f.stime;
    this.obittime = f.obittime;
    this.estimatedStartTime = f.estimatedStartTime;
    this.estimatedTakes = f.estimatedTakes;
    this.exitStatus = f.exitStatus;
    this.depend = f.depend;
    this.array = f.array;
    this.parentId = f.parentId;
    this.arrayIndex = f.arrayIndex;
    this.historyTime = f.historyTime;
    this.endAt = f.endAt;
    this.endKind = f.endKind;
    this.pendingExit = f.pendingExit;
    this.terminatedBy = f.terminatedBy;
    this.remainingRuntime = f.remainingRuntime;
    this.suspendedAt = f.suspendedAt;
    this.awaitedRegistrations = f.awaitedRegistrations;
    this.exitingUntil = f.exitingUntil;
    this.neverRunMemo = f.neverRunMemo;
  }

  get execVnode(): string | undefined {
    return runText(this, "execVnode", this.execVnodeText);
  }
  set execVnode(value: string | undefined) {
    if (this.pendingRunTexts === undefined) this.execVnodeText = value;
    else settle(this, "execVnode", value);
  }

  get execHost(): string | undefined {
    return runText(this, "execHost", this.execHostText);
  }
  set execHost(value: string | undefined) {
    if (this.pendingRunTexts === undefined) this.execHostText = value;
    else settle(this, "execHost", value);
  }

  get comment(): string | undefined {
    return runText(this, "comment", this.commentText);
  }
  set comment(value: string | undefined) {
    if (this.pendingRunTexts === undefined) this.commentText = value;
    else settle(this, "comment", value);
  }
}

/** A run text: its backing field, or rendered now for a fabricated run. */
function runText(
  record: JobRecord,
  name: RunTextName,
  backing: string | undefined,
): string | undefined {
  const pending = record.pendingRunTexts;
  if (pending === undefined) return backing;
  const value = pending.render(name);
  settle(record, name, value);
  return value;
}
