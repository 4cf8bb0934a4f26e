/**
 * Advance and standing reservations: `pbs_rsub`, confirmation or silent denial
 * in the scheduling cycle, the running window and its queue, `pbs_ralter`, `pbs_rdel`,
 * and a standing reservation's next occurrence.
 */
import type { EngineState } from "./state.ts";
import { formatDuration } from "../../src/pbs/model/time.ts";
import { buildQueue } from "../config.ts";
import {
  type Caller,
  PBSE,
  type ReservationRequest,
  SimError,
  type SimReservation,
} from "../model.ts";
import type { NodeTake } from "../nodes.ts";
import {
  chunksOf,
  completeResources,
  parsePlace,
  type ResourceMap,
  validateResources,
} from "../resources.ts";
import type { ReservationCapacity } from "../scheduler.ts";
import { confirmReservation, type ResvRecord } from "../reservations.ts";
import { afterChange } from "./cycle.ts";
import { deleteArray, deleteOne } from "./delete.ts";
import { isHistory } from "./job_state.ts";
import { terminate } from "./lifecycle.ts";

export function submitReservation(
  engine: EngineState,
  caller: Caller,
  request: ReservationRequest,
): SimReservation {
  engine.requireUp();
  if (caller.user === "root") throw new SimError(PBSE.R_UID);
  const now = engine.now();
  if (request.start < now || request.end <= request.start) throw new SimError(PBSE.BADTSPEC);
  const requested = validateResources(request.resources);
  const resources = completeResources(requested, {
    queue: {},
    server: {},
    defaultChunk: engine.defaultChunk,
  }).resources;
  if (requested.place === undefined) resources.place = "free";
  resources.walltime = formatDuration(request.end - request.start);
  const seq = engine.nextSeq();
  const prefix = request.rrule ? "S" : "R";
  const owner = `${caller.user}@${caller.host}`;
  const resv: ResvRecord = {
    id: `${prefix}${seq}.${engine.server.name}`,
    name: request.name,
    owner,
    state: "RESV_UNCONFIRMED",
    substate: 1,
    start: request.start,
    end: request.end,
    queue: `${prefix}${seq}`,
    resources: orderedResvResources(resources),
    nodes: [],
    authorizedUsers: request.users?.length ? request.users : [owner],
    ctime: now,
    mtime: now,
    rrule: request.rrule,
    takes: [],
    chunks: chunksOf(String(resources.select), engine.defaultChunk),
    placement: parsePlace(String(resources.place)),
    index: 1,
    count: request.rrule ? occurrenceCount(request.rrule) : 1,
    submitHost: caller.host,
    user: caller.user,
  };
  engine.reservations.set(resv.id, resv);
  engine.queues.set(resv.queue, {
    ...buildQueue({ name: resv.queue, started: false, aclUsers: resv.authorizedUsers }),
    reservation: resv.id,
  });
  const snapshot: SimReservation = { ...resv, nodes: [] };
  afterChange(engine);
  return snapshot;
}

export function deleteReservation(engine: EngineState, caller: Caller, id: string): void {
  engine.requireUp();
  const resv = engine.findReservation(id) as ResvRecord;
  if (resv.user !== caller.user && !engine.isPrivileged(caller)) {
    throw new SimError(PBSE.PERM, resv.id);
  }
  endReservation(engine, resv, `${caller.user}@${caller.host}`);
  afterChange(engine);
}

export function alterReservation(
  engine: EngineState,
  caller: Caller,
  id: string,
  change: { start?: number; end?: number; duration?: number },
): "CONFIRMED" | "DENIED" {
  engine.requireUp();
  const resv = engine.findReservation(id) as ResvRecord;
  if (resv.user !== caller.user && !engine.isPrivileged(caller)) {
    throw new SimError(PBSE.PERM, resv.id);
  }
  const running = resv.state === "RESV_RUNNING";
  if (running && change.start !== undefined && change.start !== resv.start) {
    throw new SimError(PBSE.BADTSPEC);
  }
  const start = change.start ?? resv.start;
  // A moved start keeps the length unless a new end or duration is given.
  const end = change.end ??
    (change.duration !== undefined ? start + change.duration : start + (resv.end - resv.start));
  if ((!running && start < engine.now()) || end <= start) throw new SimError(PBSE.BADTSPEC);
  if (resv.state === "RESV_CONFIRMED" || running) {
    const trial = { ...resv, start, end };
    const takes = confirmReservation(
      engine.pool,
      trial,
      running ? [] : [...engine.holding],
      reservationWindows(engine),
    );
    const sameNodes = takes !== undefined &&
      takes.every((t) => resv.takes.some((own) => own.node === t.node));
    if (!sameNodes) return "DENIED";
  }
  resv.start = start;
  resv.end = end;
  resv.resources.walltime = formatDuration(end - start);
  resv.mtime = engine.now();
  // Re-arm the event of the new window (the old one checks the time it was armed for).
  if (resv.state === "RESV_CONFIRMED") {
    const begin = resv.start;
    engine.events.push(
      begin,
      () => engine.reservations.get(resv.id) === resv && resv.start === begin,
      () => beginReservation(engine, resv),
    );
  } else if (running) {
    engine.events.push(
      end,
      () => engine.reservations.get(resv.id) === resv && resv.end === end,
      () => endReservation(engine, resv),
    );
  }
  afterChange(engine);
  return "CONFIRMED";
}

export function confirmReservations(engine: EngineState): void {
  for (const resv of engine.reservations.values()) {
    if (resv.state !== "RESV_UNCONFIRMED") continue;
    const takes = confirmReservation(
      engine.pool,
      resv,
      [...engine.holding],
      reservationWindows(engine),
    );
    if (!takes) {
      // PBS's scheduler denies it; the server deletes it without a trace (golden).
      dropReservation(engine, resv);
      continue;
    }
    adoptReservation(engine, resv, takes);
  }
}

export function adoptReservation(engine: EngineState, resv: ResvRecord, takes: NodeTake[]): void {
  resv.takes = takes;
  resv.nodes = takes.map((t) => ({
    node: engine.pool.nodes[t.node].name,
    ncpus: t.ncpus,
    ngpus: t.ngpus,
    memBytes: t.memBytes,
  }));
  resv.state = "RESV_CONFIRMED";
  resv.substate = 2;
  resv.mtime = engine.now();
  for (const node of new Set(takes.map((t) => t.node))) engine.pool.addResv(node, resv.id);
  const begin = resv.start;
  engine.events.push(
    begin,
    () => engine.reservations.get(resv.id) === resv && resv.start === begin,
    () => {
      beginReservation(engine, resv);
    },
  );
}

export function beginReservation(engine: EngineState, resv: ResvRecord): void {
  resv.state = "RESV_RUNNING";
  resv.substate = 5;
  resv.mtime = engine.now();
  const queue = engine.queues.get(resv.queue);
  if (queue) queue.started = true;
  const end = resv.end;
  engine.events.push(
    end,
    () => engine.reservations.get(resv.id) === resv && resv.end === end,
    () => {
      endReservation(engine, resv);
    },
  );
}

/** Window over (or pbs_rdel): its jobs are deleted, then the next occurrence or nothing. */
export function endReservation(engine: EngineState, resv: ResvRecord, by?: string): void {
  for (const job of [...engine.byId.values()]) {
    if (job.queue !== resv.queue || isHistory(job) || job.parentId) continue;
    if (job.array) deleteArray(engine, { user: "root", host: engine.server.host }, job);
    else if (job.state === "R" || job.state === "S") terminate(engine, job, 271, "resv-end", by);
    else if (job.state !== "E") {
      deleteOne(engine, { user: "root", host: engine.server.host }, job, true);
    }
  }
  if (by === undefined && resv.rrule && resv.index < resv.count) {
    nextOccurrence(engine, resv);
    return;
  }
  dropReservation(engine, resv);
}

export function nextOccurrence(engine: EngineState, resv: ResvRecord): void {
  const period = occurrencePeriod(resv.rrule!);
  for (const node of new Set(resv.takes.map((t) => t.node))) engine.pool.removeResv(node, resv.id);
  resv.start += period;
  resv.end += period;
  resv.index++;
  resv.state = "RESV_UNCONFIRMED";
  resv.substate = 1;
  const queue = engine.queues.get(resv.queue);
  if (queue) queue.started = false;
  const takes = confirmReservation(
    engine.pool,
    resv,
    [...engine.holding],
    reservationWindows(engine),
  );
  if (takes) adoptReservation(engine, resv, takes);
  else dropReservation(engine, resv);
}

export function dropReservation(engine: EngineState, resv: ResvRecord): void {
  for (const node of new Set(resv.takes.map((t) => t.node))) engine.pool.removeResv(node, resv.id);
  engine.reservations.delete(resv.id);
  engine.queues.delete(resv.queue);
  resv.state = "RESV_DELETED";
}

export function reservationWindows(engine: EngineState): ReservationCapacity[] {
  const out: ReservationCapacity[] = [];
  for (const r of engine.reservations.values()) {
    if (r.state !== "RESV_CONFIRMED" && r.state !== "RESV_RUNNING") continue;
    out.push({
      id: r.id,
      running: r.state === "RESV_RUNNING",
      start: r.start,
      end: r.end,
      takes: r.takes,
    });
  }
  return out;
}

export function orderedResvResources(resources: ResourceMap): ResourceMap {
  const ordered: ResourceMap = {};
  for (const name of ["ncpus", "ngpus", "mem", "nodect", "select", "place", "walltime"]) {
    if (resources[name] !== undefined) ordered[name] = resources[name];
  }
  return ordered;
}

export function occurrenceCount(rrule: string): number {
  const m = /COUNT=(\d+)/i.exec(rrule);
  return m ? Number(m[1]) : 1;
}

export function occurrencePeriod(rrule: string): number {
  const freq = /FREQ=(\w+)/i.exec(rrule)?.[1]?.toUpperCase();
  const interval = Number(/INTERVAL=(\d+)/i.exec(rrule)?.[1] ?? 1);
  const unit = freq === "HOURLY" ? 3600 : freq === "WEEKLY" ? 7 * 86400 : 86400;
  return unit * interval;
}
