/**
 * Advance and standing reservations: the engine's record and the
 * confirmation check the scheduler performs (can the requested chunks be
 * held on some nodes for the whole window, given running jobs' expected ends
 * and other reservations?).
 */
import type { JobRecord } from "./job_record.ts";
import type { SimReservation } from "./model.ts";
import type { NodePool, NodeTake } from "./nodes.ts";
import { findPlacement, heldDuring } from "./placement.ts";
import type { Chunk, Placement } from "./resources.ts";
import type { ReservationCapacity } from "./scheduler.ts";

export interface ResvRecord extends SimReservation {
  takes: NodeTake[];
  chunks: Chunk[];
  placement: Placement;
  /** Standing reservations: which occurrence (1-based) and how many. */
  index: number;
  count: number;
  submitHost: string;
  user: string;
}

/**
 * Nodes for the reservation's window, or undefined when it cannot be had
 * (PBS then denies and deletes it). Running jobs count as busy until their
 * walltime ends; jobs without walltime count as busy forever.
 */
export function confirmReservation(
  pool: NodePool,
  resv: ResvRecord,
  running: readonly JobRecord[],
  others: readonly ReservationCapacity[],
): NodeTake[] | undefined {
  const cap = {
    cpus: pool.totalCpus.slice(),
    gpus: pool.totalGpus.slice(),
    mem: pool.totalMem.slice(),
    users: new Int32Array(pool.size),
    exclusive: new Uint8Array(pool.size),
  };
  for (const job of running) {
    const end = job.walltime === undefined ? Infinity : (job.stime ?? 0) + job.walltime;
    if (end <= resv.start) continue;
    for (const t of job.takes) {
      cap.cpus[t.node] -= t.ncpus;
      cap.gpus[t.node] -= t.ngpus;
      cap.mem[t.node] -= t.memBytes;
      cap.users[t.node]++;
      if (pool.free.exclusive[t.node]) cap.exclusive[t.node] = 1;
    }
  }
  const promises = others
    .filter((o) => o.id !== resv.id)
    .map((o) => ({ start: o.start, end: o.end, takes: o.takes }));
  return findPlacement(pool, cap, {
    chunks: resv.chunks,
    placement: resv.placement,
    eligible: pool.usableMask,
    held: heldDuring(promises, resv.start, resv.end, pool.size),
  });
}
