/**
 * The vnodes' consumable resources, kept in typed arrays indexed by node
 * number so a scheduling cycle over ten thousand nodes allocates nothing per
 * node. `SimNode` objects carry the descriptive side (name, state words,
 * comment); this pool carries what is free, who holds which CPU slot, and
 * which reservations sit on each node.
 */
import type { SimNode } from "./model.ts";

export interface NodeTake {
  node: number;
  ncpus: number;
  ngpus: number;
  memBytes: number;
}

/** CPU slots `first` .. `first + count - 1` of a node held by one job. */
interface SlotRun {
  jobId: string;
  first: number;
  count: number;
}

/** `Capacity.idleBits` for these user counts: bit n%32 of word n/32 set when node n is idle. */
function idleBits(users: Int32Array): Uint32Array {
  const bits = new Uint32Array((users.length >> 5) + 1);
  for (let n = 0; n < users.length; n++) if (users[n] <= 0) bits[n >> 5] |= 1 << (n & 31);
  return bits;
}

/** Changes a node's user count, keeping `idleBits` in step. */
export function addUsers(cap: Capacity, node: number, delta: number): void {
  const before = cap.users[node];
  const after = cap.users[node] = before + delta;
  const bits = cap.idleBits;
  if (bits !== undefined && (before <= 0) !== (after <= 0)) bits[node >> 5] ^= 1 << (node & 31);
}

/** Free capacity the placement search reads; scratch copies model the future. */
export interface Capacity {
  cpus: Int32Array;
  gpus: Int32Array;
  mem: Float64Array;
  /** Jobs (and running reservations) on each node; 0 means idle. */
  users: Int32Array;
  /** 1 when a job holds the node exclusively. */
  exclusive: Uint8Array;
  /**
   * One bit per node, set while it is idle (`users` ≤ 0), so that a search for
   * idle nodes jumps over the busy ones of a big complex (placement.ts). Kept
   * by `addUsers`; absent on capacities that do not keep it (no jumping).
   */
  idleBits?: Uint32Array;
}

export class NodePool {
  readonly nodes: SimNode[];
  readonly index = new Map<string, number>();
  readonly totalCpus: Int32Array;
  readonly totalGpus: Int32Array;
  readonly totalMem: Float64Array;
  readonly free: Capacity;
  /** 1 when every job on the node takes it whole (`sharing = force_exclhost`). */
  readonly forceExclusive: Uint8Array;
  /**
   * Per node, which job holds which CPU slots: runs of consecutive slots,
   * sorted by first slot (created on first use). Runs rather than one entry
   * per slot: a whole 208-CPU node taken by one job is one run, not 208.
   */
  readonly #slots: Array<SlotRun[] | undefined>;
  /** Per node, how many slots it counts: its CPUs, more once oversubscribed. */
  readonly #slotCount: Int32Array;
  /** Per node, reservation ids holding part of it (most recent first, as pbsnodes shows). */
  readonly resvs: Array<string[] | undefined>;
  readonly lastUsed: Float64Array;
  /** Every node takes whole-node jobs only (big Cray sites). */
  allForceExclusive = true;
  maxCpus = 0;
  maxGpus = 0;
  maxMem = 0;
  /** Complex-wide totals (every node), for `Can Never Run` on requests above them. */
  sumCpus = 0;
  sumGpus = 0;
  sumMem = 0;

  constructor(nodes: SimNode[]) {
    this.nodes = nodes;
    const n = nodes.length;
    this.totalCpus = new Int32Array(n);
    this.totalGpus = new Int32Array(n);
    this.totalMem = new Float64Array(n);
    this.forceExclusive = new Uint8Array(n);
    this.free = {
      cpus: new Int32Array(n),
      gpus: new Int32Array(n),
      mem: new Float64Array(n),
      users: new Int32Array(n),
      exclusive: new Uint8Array(n),
    };
    this.#slots = new Array(n);
    this.#slotCount = new Int32Array(n);
    this.resvs = new Array(n);
    this.lastUsed = new Float64Array(n);
    this.#usable = new Uint8Array(n);
    this.#anyTied = nodes.some((node) => node.queue !== undefined);
    nodes.forEach((node, i) => {
      this.#usable[i] = node.state.includes("offline") || node.state.includes("down") ? 0 : 1;
      this.index.set(node.name, i);
      this.totalCpus[i] = this.free.cpus[i] = this.#slotCount[i] = node.ncpus;
      this.totalGpus[i] = this.free.gpus[i] = node.ngpus;
      this.totalMem[i] = this.free.mem[i] = node.memBytes;
      this.forceExclusive[i] = node.sharing.startsWith("force_excl") ? 1 : 0;
      if (!this.forceExclusive[i]) this.allForceExclusive = false;
      this.maxCpus = Math.max(this.maxCpus, node.ncpus);
      this.maxGpus = Math.max(this.maxGpus, node.ngpus);
      this.maxMem = Math.max(this.maxMem, node.memBytes);
      this.sumCpus += node.ncpus;
      this.sumGpus += node.ngpus;
      this.sumMem += node.memBytes;
    });
    this.free.idleBits = idleBits(this.free.users);
  }

  get size(): number {
    return this.nodes.length;
  }

  /** 1 when the node is up and not offline (kept in step with the state words). */
  readonly #usable: Uint8Array;
  /** Some node is tied to a queue (its `queue` attribute). */
  readonly #anyTied: boolean;

  /** Up, not offline: the scheduler may place work here. */
  usable(i: number): boolean {
    return this.#usable[i] === 1;
  }

  /** 1 per usable node (live: kept in step with the state words). */
  get usableMask(): Uint8Array {
    return this.#usable;
  }

  /** Per queue, 1 where its jobs may go: usable and not tied to another queue. */
  readonly #eligibleByQueue = new Map<string, Uint8Array>();

  /** Nodes a job of `queue` may use: usable ones not tied to another queue (node `queue`). */
  eligibleFor(queue: string): Uint8Array {
    if (!this.#anyTied) return this.#usable;
    let mask = this.#eligibleByQueue.get(queue);
    if (!mask) {
      mask = new Uint8Array(this.size);
      for (let i = 0; i < mask.length; i++) {
        const tied = this.nodes[i].queue;
        mask[i] = this.#usable[i] === 1 && (tied === undefined || tied === queue) ? 1 : 0;
      }
      this.#eligibleByQueue.set(queue, mask);
    }
    return mask;
  }

  /** Takes resources for a job; returns the first CPU slot taken on each node. */
  take(jobId: string, takes: NodeTake[], exclusive: boolean, now: number): number[] {
    const firstSlots: number[] = [];
    const seen = new Set<number>();
    for (const t of takes) {
      this.free.cpus[t.node] -= t.ncpus;
      this.free.gpus[t.node] -= t.ngpus;
      this.free.mem[t.node] -= t.memBytes;
      if (!seen.has(t.node)) {
        seen.add(t.node);
        addUsers(this.free, t.node, 1);
        if (exclusive || this.forceExclusive[t.node]) this.free.exclusive[t.node] = 1;
      }
      firstSlots.push(this.#claimSlots(t.node, jobId, t.ncpus));
      this.lastUsed[t.node] = now;
      this.refreshState(t.node);
    }
    return firstSlots;
  }

  release(jobId: string, takes: NodeTake[], now: number): void {
    const seen = new Set<number>();
    for (const t of takes) {
      this.free.cpus[t.node] += t.ncpus;
      this.free.gpus[t.node] += t.ngpus;
      this.free.mem[t.node] += t.memBytes;
      if (!seen.has(t.node)) {
        seen.add(t.node);
        addUsers(this.free, t.node, -1);
        if (this.free.users[t.node] <= 0) this.free.exclusive[t.node] = 0;
      }
      this.#freeSlots(t.node, jobId);
      this.lastUsed[t.node] = now;
      this.refreshState(t.node);
    }
  }

  /** Gives a job the node's first `count` free slots; returns the first one. */
  #claimSlots(node: number, jobId: string, count: number): number {
    const runs = this.#slots[node] ??= [];
    let first = -1;
    let slot = 0;
    let at = 0;
    const end = this.#slotCount[node];
    while (count > 0 && slot < end) {
      if (at < runs.length && runs[at].first === slot) {
        slot += runs[at].count;
        at++;
        continue;
      }
      const gapEnd = at < runs.length ? runs[at].first : end;
      const taken = Math.min(count, gapEnd - slot);
      runs.splice(at++, 0, { jobId, first: slot, count: taken });
      if (first < 0) first = slot;
      slot += taken;
      count -= taken;
    }
    // Oversubscription (qrun on a full node) still gets slot numbers, past the last.
    if (count > 0) {
      runs.push({ jobId, first: end, count });
      if (first < 0) first = end;
      this.#slotCount[node] = end + count;
    }
    return Math.max(first, 0);
  }

  #freeSlots(node: number, jobId: string): void {
    const runs = this.#slots[node];
    if (!runs) return;
    let kept = 0;
    for (const run of runs) if (run.jobId !== jobId) runs[kept++] = run;
    runs.length = kept;
  }

  /** `jobs` as pbsnodes prints it: one `id/slot` per CPU slot in use. */
  slotList(node: number): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (const run of this.#slots[node] ?? []) {
      for (let k = 0; k < run.count; k++) out.push([run.jobId, run.first + k]);
    }
    return out;
  }

  /** Recomputes the state words after allocation or flag changes. */
  refreshState(i: number): void {
    const node = this.nodes[i];
    const flags = node.state.filter((w) => w === "offline" || w === "down");
    const busy = this.free.exclusive[i]
      ? "job-exclusive"
      : this.free.cpus[i] <= 0 && this.free.users[i] > 0
      ? "job-busy"
      : undefined;
    if (flags.includes("down")) {
      node.state = flags.includes("offline") ? ["down", "offline"] : flags;
      return;
    }
    // An offline node still running jobs says so: `offline,job-busy` (pbsnodes_l_s_root).
    if (flags.length > 0) node.state = busy ? [...flags, busy] : flags;
    else node.state = [busy ?? "free"];
  }

  /** Sets or clears a flag word (`offline`, `down`); returns whether it changed. */
  setFlag(i: number, flag: "offline" | "down", on: boolean): boolean {
    const node = this.nodes[i];
    const has = node.state.includes(flag);
    if (has === on) return false;
    const words = node.state.filter((w) => w === "offline" || w === "down");
    node.state = on ? [...words, flag] : words.filter((w) => w !== flag);
    if (node.state.length === 0) node.state = ["free"];
    this.#usable[i] = node.state.includes("offline") || node.state.includes("down") ? 0 : 1;
    this.#eligibleByQueue.clear();
    this.refreshState(i);
    return true;
  }

  addResv(i: number, id: string): void {
    (this.resvs[i] ??= []).unshift(id);
  }

  removeResv(i: number, id: string): void {
    const list = this.resvs[i];
    if (!list) return;
    const rest = list.filter((r) => r !== id);
    this.resvs[i] = rest.length > 0 ? rest : undefined;
  }

  /** A private copy of the free capacity for look-ahead (backfill, reservations). */
  snapshot(): Capacity {
    return {
      cpus: this.free.cpus.slice(),
      gpus: this.free.gpus.slice(),
      mem: this.free.mem.slice(),
      users: this.free.users.slice(),
      exclusive: this.free.exclusive.slice(),
      idleBits: this.free.idleBits?.slice(),
    };
  }
}
