/**
 * The engine's private view of a job: the public `SimJob` plus what the
 * lifecycle and the scheduler need (parsed chunks, the current allocation,
 * pending end event). The front only ever sees these as `SimJob`s.
 */
import type { SimJob } from "./model.ts";
import type { NodeTake } from "./nodes.ts";
import type { Chunk, Placement } from "./resources.ts";
import type { PendingRunTexts } from "./engine/job_record_object.ts";

export type EndKind = "normal" | "walltime" | "signal" | "deleted" | "resv-end";

export interface JobRecord extends SimJob {
  chunks: Chunk[];
  placement: Placement;
  /** Requested walltime in seconds; undefined means unlimited. */
  walltime?: number;
  /** Resource_List names filled from the queue's resources_default. */
  fromQueueDefaults: string[];
  /** What the job holds on each node while it runs. */
  takes: NodeTake[];
  /** Bumped on every start/stop so stale events are ignored. */
  runToken: number;
  /** When the running job will end (absent while suspended). */
  endAt?: number;
  endKind?: EndKind;
  /** Exit_status decided at the end (signal, walltime kill). */
  pendingExit?: number;
  /** Who deleted it (`alice@localhost`), for the comment. */
  terminatedBy?: string;
  /** Runtime still to go when suspended. */
  remainingRuntime?: number;
  suspendedAt?: number;
  /** Seconds spent suspended in the current run (walltime excludes them). */
  suspendedSeconds: number;
  /** CPU utilisation 0..1 while running (resources_used.cput/cpupercent). */
  cpuLoad: number;
  memUsedKb: number;
  vmemUsedKb: number;
  homeDir: string;
  /** PBS prints Stageout_status once a run has been cleaned up. */
  stagedOut: boolean;
  /** The vnodes a top job is promised (`estimated.exec_vnode`, rendered when shown). */
  estimatedTakes?: NodeTake[];
  /**
   * Ids of jobs that wait on this one (its before* side); made by the first
   * (most jobs never have one: a Set each was 3 MB of an aurora build).
   */
  dependents: Set<string> | undefined;
  /** `-W depend=on:N`: before* registrations still awaited (INDEX.md note 9). */
  awaitedRegistrations?: number;
  /** Parsed after* dependencies this job waits on: type and job id. */
  waitsOn: Array<{ type: string; id: string }>;
  /** The scheduler's `Can Never Run` verdict for these chunks and placement (scheduler.ts). */
  neverRunMemo?: { chunks: Chunk[]; placement: Placement; reason: string | undefined };
  /** Runs whose obit has not yet been processed end at this time. */
  exitingUntil?: number;
  /**
   * Backing fields of `execVnode`, `execHost` and `comment`, which are accessors
   * of the records' class (engine/job_record_object.ts).
   */
  execVnodeText: string | undefined;
  execHostText: string | undefined;
  commentText: string | undefined;
  /** A fabricated history run's texts not rendered yet. */
  pendingRunTexts: PendingRunTexts | undefined;
}
