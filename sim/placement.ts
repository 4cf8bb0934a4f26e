/**
 * Where a job's chunks could go right now (or at a future time, against a
 * scratch copy of the capacity): PBS's `place` semantics over the vnodes.
 *
 * - free: chunks anywhere, several on one node allowed;
 * - pack: every chunk on one node;
 * - scatter / vscatter: one chunk per node;
 * - excl / exclhost (or a node with `sharing = force_exclhost`): the node must
 *   be idle and nobody else may join while the job runs.
 *
 * Nodes are scanned in index order (first fit) with a cursor per chunk kind,
 * so a job asking for N identical whole nodes costs one pass at most.
 */
import type { Capacity, NodePool, NodeTake } from "./nodes.ts";
import type { Chunk, Placement } from "./resources.ts";

/** Resources promised to someone else on a node during [start, end). */
export interface Promise {
  start: number;
  end: number;
  takes: NodeTake[];
  /** Distinct nodes in `takes` when they are whole nodes (top jobs), for quick bounds. */
  nodes?: number;
}

/** Per-node amounts held back from a request (dense, indexed by node). */
export interface Held {
  cpus: Int32Array;
  gpus: Int32Array;
  mem: Float64Array;
  /** 1 where anything is held. */
  any: Uint8Array;
  /** The nodes where `any` is 1 (so a reused buffer is cleared in proportion to its use). */
  touched: number[];
}

export interface PlacementRequest {
  chunks: Chunk[];
  placement: Placement;
  /** Only these nodes (a reservation's), or all when absent. */
  scan?: number[];
  /** 1 where the request may use the node at all (up, queue association), by node. */
  eligible: Uint8Array;
  /** Amounts unavailable on a node for this request (promises overlapping its run). */
  held?: Held;
}

/**
 * Sums the promises overlapping [from, until) per node; undefined when none
 * overlaps. With `reuse`, that buffer is cleared and filled instead of a new one.
 */
export function heldDuring(
  promises: readonly Promise[],
  from: number,
  until: number,
  size: number,
  reuse?: Held,
): Held | undefined {
  let held: Held | undefined;
  for (const p of promises) {
    if (p.start >= until || p.end <= from) continue;
    if (held === undefined) held = reuse ? clearHeld(reuse) : emptyHeld(size);
    for (const t of p.takes) {
      held.cpus[t.node] += t.ncpus;
      held.gpus[t.node] += t.ngpus;
      held.mem[t.node] += t.memBytes;
      if (held.any[t.node] === 0) {
        held.any[t.node] = 1;
        held.touched.push(t.node);
      }
    }
  }
  return held;
}

export function emptyHeld(size: number): Held {
  return {
    cpus: new Int32Array(size),
    gpus: new Int32Array(size),
    mem: new Float64Array(size),
    any: new Uint8Array(size),
    touched: [],
  };
}

function clearHeld(held: Held): Held {
  for (const node of held.touched) {
    held.cpus[node] = held.gpus[node] = held.mem[node] = 0;
    held.any[node] = 0;
  }
  held.touched.length = 0;
  return held;
}

export function findPlacement(
  pool: NodePool,
  cap: Capacity,
  req: PlacementRequest,
): NodeTake[] | undefined {
  return req.placement.arrangement === "pack"
    ? placePacked(pool, cap, req)
    : placeChunks(pool, cap, req);
}

function wantsWholeNode(pool: NodePool, req: PlacementRequest, node: number): boolean {
  return req.placement.sharing !== "shared" || pool.forceExclusive[node] === 1;
}

/** Whether `node` can take (cpus, gpus, mem) more, given what this job already took there. */
function fits(
  pool: NodePool,
  cap: Capacity,
  req: PlacementRequest,
  node: number,
  mine: Mine | undefined,
  cpus: number,
  gpus: number,
  mem: number,
): boolean {
  if (req.eligible[node] !== 1) return false;
  const held = req.held !== undefined && req.held.any[node] === 1 ? req.held : undefined;
  const mineHere = mine !== undefined && mine.mark[node] === mine.stamp;
  if (wantsWholeNode(pool, req, node)) {
    if (!mineHere && (cap.users[node] > 0 || held)) return false;
  } else if (cap.exclusive[node]) {
    return false;
  }
  const usedCpus = (mineHere ? mine!.cpus[node] : 0) + (held ? held.cpus[node] : 0);
  const usedGpus = (mineHere ? mine!.gpus[node] : 0) + (held ? held.gpus[node] : 0);
  const usedMem = (mineHere ? mine!.mem[node] : 0) + (held ? held.mem[node] : 0);
  return hasRoom(cap, node, cpus + usedCpus, gpus + usedGpus, mem + usedMem);
}

/** Whether `node` holds that much in all: cpus, gpus and memory (bytes). Small: V8 inlines it. */
function hasRoom(cap: Capacity, node: number, cpus: number, gpus: number, mem: number): boolean {
  return cap.cpus[node] >= cpus && cap.gpus[node] >= gpus && cap.mem[node] >= mem;
}

/**
 * What the job being placed has taken so far, per node. The arrays are reused
 * across placements; `mark[node] === stamp` says the entry is current.
 */
interface Mine {
  stamp: number;
  mark: Int32Array;
  cpus: Int32Array;
  gpus: Int32Array;
  mem: Float64Array;
}

const scratchByPool = new WeakMap<NodePool, Mine>();

function freshMine(pool: NodePool): Mine {
  let mine = scratchByPool.get(pool);
  if (!mine) {
    const n = pool.size;
    mine = {
      stamp: 0,
      mark: new Int32Array(n),
      cpus: new Int32Array(n),
      gpus: new Int32Array(n),
      mem: new Float64Array(n),
    };
    scratchByPool.set(pool, mine);
  }
  mine.stamp++;
  return mine;
}

function placePacked(pool: NodePool, cap: Capacity, req: PlacementRequest): NodeTake[] | undefined {
  let cpus = 0, gpus = 0, mem = 0;
  let host: string | undefined;
  for (const c of req.chunks) {
    cpus += c.count * c.ncpus;
    gpus += c.count * c.ngpus;
    mem += c.count * c.memBytes;
    host ??= c.host;
  }
  const visit = (node: number): NodeTake[] | undefined => {
    if (host !== undefined && pool.nodes[node].name !== host) return undefined;
    if (!fits(pool, cap, req, node, undefined, cpus, gpus, mem)) return undefined;
    return req.chunks.flatMap((c) =>
      Array.from({ length: c.count }, () => ({
        node,
        ncpus: c.ncpus,
        ngpus: c.ngpus,
        memBytes: c.memBytes,
      }))
    );
  };
  return scanNodes(pool, req, host, visit);
}

function placeChunks(pool: NodePool, cap: Capacity, req: PlacementRequest): NodeTake[] | undefined {
  const takes: NodeTake[] = [];
  const mine = freshMine(pool);
  const lastTakes = lastTakesOf(pool);
  const distinct = req.placement.arrangement !== "free";
  for (const chunk of req.chunks) {
    if (!placeChunk(pool, cap, req, chunk, mine, lastTakes, distinct, takes)) return undefined;
  }
  return takes;
}

/**
 * Places the `count` copies of one chunk, adding to `takes`; false when one
 * does not fit. (Its own function: as the inner loop of placeChunks, V8's
 * on-stack replacement left optimised code on every exit from it.)
 */
function placeChunk(
  pool: NodePool,
  cap: Capacity,
  req: PlacementRequest,
  chunk: Chunk,
  mine: Mine,
  lastTakes: Array<NodeTake | undefined>,
  distinct: boolean,
  takes: NodeTake[],
): boolean {
  let cursor = 0;
  for (let k = 0; k < chunk.count; k++) {
    const found = nextNode(pool, cap, req, chunk, mine, distinct, takes.length === 0, cursor);
    if (found < 0) return false;
    cursor = distinct ? found + 1 : found;
    if (distinct) {
      // One chunk per node: a node of this job is only ever skipped, so its mark is enough.
      mine.mark[found] = mine.stamp;
    } else {
      if (mine.mark[found] !== mine.stamp) {
        mine.mark[found] = mine.stamp;
        mine.cpus[found] = mine.gpus[found] = mine.mem[found] = 0;
      }
      mine.cpus[found] += chunk.ncpus;
      mine.gpus[found] += chunk.ngpus;
      mine.mem[found] += chunk.memBytes;
    }
    takes.push(takeOn(lastTakes, found, chunk));
  }
  return true;
}

/**
 * Takes are never changed once made, so the last one made on each node is
 * used again for the same amounts: top jobs' plans place thousands of
 * whole-node chunks every cycle, and would otherwise make as many objects.
 */
const lastTakesByPool = new WeakMap<NodePool, Array<NodeTake | undefined>>();

function lastTakesOf(pool: NodePool): Array<NodeTake | undefined> {
  let last = lastTakesByPool.get(pool);
  if (!last) lastTakesByPool.set(pool, last = new Array(pool.size));
  return last;
}

function takeOn(last: Array<NodeTake | undefined>, node: number, chunk: Chunk): NodeTake {
  const take = last[node];
  if (
    take !== undefined && take.ncpus === chunk.ncpus && take.ngpus === chunk.ngpus &&
    take.memBytes === chunk.memBytes
  ) return take;
  return last[node] = { node, ncpus: chunk.ncpus, ngpus: chunk.ngpus, memBytes: chunk.memBytes };
}

function nextNode(
  pool: NodePool,
  cap: Capacity,
  req: PlacementRequest,
  chunk: Chunk,
  mine: Mine,
  distinct: boolean,
  mineEmpty: boolean,
  cursor: number,
): number {
  const ok = (node: number) => {
    if (chunk.host !== undefined && pool.nodes[node].name !== chunk.host) return false;
    if (distinct && mine.mark[node] === mine.stamp) return false;
    return fits(pool, cap, req, node, mine, chunk.ncpus, chunk.ngpus, chunk.memBytes);
  };
  if (chunk.host !== undefined) {
    const node = pool.index.get(chunk.host);
    return node !== undefined && (!req.scan || req.scan.includes(node)) && ok(node) ? node : -1;
  }
  if (req.scan) {
    for (const node of req.scan) if (ok(node)) return node;
    return -1;
  }
  if (req.placement.sharing !== "shared" || pool.allForceExclusive) {
    // Blocks without an idle node hold nothing for this chunk, unless a node of
    // this job is there that may take another chunk (`free`).
    const skipBusy = distinct || mineEmpty;
    return nextWholeNode(pool, cap, req, chunk, mine, distinct, skipBusy, cursor);
  }
  for (let node = cursor; node < pool.size; node++) if (ok(node)) return node;
  return -1;
}

/**
 * `ok` above when every node is taken whole, inlined for the scan that
 * dominates big complexes: the node must be eligible and either already this
 * job's (`free` only: room left after its own chunks and what is held there)
 * or idle and unpromised, and hold the chunk.
 */
function nextWholeNode(
  pool: NodePool,
  cap: Capacity,
  req: PlacementRequest,
  chunk: Chunk,
  mine: Mine,
  distinct: boolean,
  skipBusy: boolean,
  cursor: number,
): number {
  const idle = skipBusy ? cap.idleBits : undefined;
  if (idle !== undefined) return nextIdleNode(pool, cap, req, chunk, mine, distinct, idle, cursor);
  const { eligible, held } = req;
  const size = pool.size;
  for (let node = cursor; node < size; node++) {
    if (eligible[node] !== 1) continue;
    if (mine.mark[node] === mine.stamp) {
      if (distinct) continue;
      const heldHere = held !== undefined && held.any[node] === 1;
      const usedCpus = mine.cpus[node] + (heldHere ? held.cpus[node] : 0);
      const usedGpus = mine.gpus[node] + (heldHere ? held.gpus[node] : 0);
      const usedMem = mine.mem[node] + (heldHere ? held.mem[node] : 0);
      if (
        hasRoom(cap, node, chunk.ncpus + usedCpus, chunk.ngpus + usedGpus, chunk.memBytes + usedMem)
      ) return node;
      continue;
    }
    if (cap.users[node] > 0) continue;
    if (held !== undefined && held.any[node] === 1) continue;
    if (hasRoom(cap, node, chunk.ncpus, chunk.ngpus, chunk.memBytes)) return node;
  }
  return -1;
}

/**
 * `nextWholeNode` over idle nodes only, from their bits, in the same order:
 * where no node of this job may take another chunk (one chunk per node, or
 * none placed yet), a busy node never fits.
 */
function nextIdleNode(
  pool: NodePool,
  cap: Capacity,
  req: PlacementRequest,
  chunk: Chunk,
  mine: Mine,
  distinct: boolean,
  idle: Uint32Array,
  cursor: number,
): number {
  const { eligible, held } = req;
  const size = pool.size;
  // Bits below the cursor in its word do not count.
  let bits = idle[cursor >> 5] & ~((1 << (cursor & 31)) - 1);
  for (let word = cursor >> 5; word < idle.length; bits = idle[++word]) {
    while (bits !== 0) {
      const lowest = bits & -bits;
      bits ^= lowest;
      const node = (word << 5) + 31 - Math.clz32(lowest);
      if (node >= size) return -1;
      if (eligible[node] !== 1) continue;
      if (distinct && mine.mark[node] === mine.stamp) continue;
      if (held !== undefined && held.any[node] === 1) continue;
      if (hasRoom(cap, node, chunk.ncpus, chunk.ngpus, chunk.memBytes)) return node;
    }
  }
  return -1;
}

function scanNodes<T>(
  pool: NodePool,
  req: PlacementRequest,
  host: string | undefined,
  visit: (node: number) => T | undefined,
): T | undefined {
  if (host !== undefined) {
    const node = pool.index.get(host);
    return node === undefined ? undefined : visit(node);
  }
  if (req.scan) {
    for (const node of req.scan) {
      const r = visit(node);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  for (let node = 0; node < pool.size; node++) {
    const r = visit(node);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** `exec_vnode` text: `(vm:ncpus=2)+(vm:ncpus=1:mem=102400kb)`. */
export function execVnodeText(pool: NodePool, takes: readonly NodeTake[]): string {
  const pieces = piecesOf(pool);
  const out: string[] = new Array(takes.length);
  for (let i = 0; i < takes.length; i++) {
    const t = takes[i];
    let piece = pieces.text[t.node];
    if (
      piece === undefined || pieces.cpus[t.node] !== t.ncpus ||
      pieces.gpus[t.node] !== t.ngpus || pieces.mem[t.node] !== t.memBytes
    ) {
      let inner = `${pool.nodes[t.node].name}:ncpus=${t.ncpus}`;
      if (t.ngpus > 0) inner += `:ngpus=${t.ngpus}`;
      if (t.memBytes > 0) inner += `:mem=${Math.round(t.memBytes / 1024)}kb`;
      piece = pieces.text[t.node] = `(${inner})`;
      pieces.cpus[t.node] = t.ncpus;
      pieces.gpus[t.node] = t.ngpus;
      pieces.mem[t.node] = t.memBytes;
    }
    out[i] = piece;
  }
  return out.join("+");
}

/**
 * The last `(node:ncpus=..)` piece rendered per node and the amounts it says:
 * a big complex renders the same whole-node pieces for thousands of jobs.
 */
interface Pieces {
  text: Array<string | undefined>;
  cpus: Int32Array;
  gpus: Int32Array;
  mem: Float64Array;
}

const piecesByPool = new WeakMap<NodePool, Pieces>();

function piecesOf(pool: NodePool): Pieces {
  let pieces = piecesByPool.get(pool);
  if (!pieces) {
    const n = pool.size;
    pieces = {
      text: new Array(n),
      cpus: new Int32Array(n),
      gpus: new Int32Array(n),
      mem: new Float64Array(n),
    };
    piecesByPool.set(pool, pieces);
  }
  return pieces;
}
