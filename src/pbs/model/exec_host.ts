/**
 * Where a job runs: PBS's `exec_host` and `exec_vnode` attributes.
 *
 * - `exec_host`: `host/index[*ncpus]` joined by `+`, one per chunk
 *   (`vm/1*2`, `nid001/0*8+nid002/0*8`, `vm/4+vm/5`). `*ncpus` is absent
 *   when it is 1.
 * - `exec_vnode`: one parenthesised group per chunk, joined by `+`; inside a
 *   group, `vnode:res=val...` pieces joined by `+` when a chunk spans vnodes
 *   (`(vm:ncpus=1)+(vm:ncpus=1:mem=102400kb)`, `(a:ncpus=2+b:ncpus=2)`).
 *
 * Parsing is lenient: this is PBS's own output, so an odd piece is kept as
 * well as it can be rather than rejected.
 */

export interface ExecHostSlot {
  host: string;
  /** Slot index on the host (`/1`). */
  index: number;
  ncpus: number;
}

export interface ExecVnodePart {
  vnode: string;
  resources: Record<string, string>;
}

/** Parses `exec_host` into one slot per chunk. Empty input → `[]`. */
export function parseExecHost(execHost: string): ExecHostSlot[] {
  return execHost.split("+").map((s) => s.trim()).filter((s) => s !== "").map(parseSlot);
}

function parseSlot(text: string): ExecHostSlot {
  const slash = text.lastIndexOf("/");
  if (slash < 0) return { host: text, index: 0, ncpus: 1 };
  const host = text.slice(0, slash);
  const [index, ncpus] = text.slice(slash + 1).split("*");
  return { host, index: toInt(index, 0), ncpus: toInt(ncpus, 1) };
}

function toInt(text: string | undefined, fallback: number): number {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : fallback;
}

/** Parses `exec_vnode` into chunks, each a list of vnode parts. Empty input → `[]`. */
export function parseExecVnode(execVnode: string): ExecVnodePart[][] {
  const chunks: ExecVnodePart[][] = [];
  // Groups are parenthesised; a bare `vnode:res=val` outside parentheses is one chunk too.
  const re = /\(([^)]*)\)|([^+()]+)/g;
  for (const m of execVnode.matchAll(re)) {
    const body = (m[1] ?? m[2]).trim();
    if (body === "") continue;
    chunks.push(body.split("+").map((p) => p.trim()).filter((p) => p !== "").map(parsePart));
  }
  return chunks;
}

function parsePart(text: string): ExecVnodePart {
  const [vnode, ...fields] = text.split(":");
  const resources: Record<string, string> = {};
  for (const field of fields) {
    const eq = field.indexOf("=");
    if (eq > 0) resources[field.slice(0, eq)] = field.slice(eq + 1);
  }
  return { vnode, resources };
}

/** Unique hosts of an `exec_host`, in first-seen order. */
export function execHosts(execHost: string): string[] {
  return unique(parseExecHost(execHost).map((s) => s.host));
}

/** Unique vnodes of an `exec_vnode`, in first-seen order. */
export function execVnodes(execVnode: string): string[] {
  return unique(parseExecVnode(execVnode).flat().map((p) => p.vnode));
}

export interface CompactHosts {
  /** Number of distinct hosts. */
  nodeCount: number;
  /** The first `maxHosts` distinct hosts. */
  hosts: string[];
  /** How many distinct hosts were left out. */
  more: number;
}

/**
 * Summarises an `exec_host` for display: a 2,000-node job should not produce a
 * 2,000-entry list in a tool result.
 */
export function compactExecHost(execHost: string, maxHosts: number): CompactHosts {
  const hosts = execHosts(execHost);
  const keep = Math.max(0, Math.floor(maxHosts));
  return {
    nodeCount: hosts.length,
    hosts: hosts.slice(0, keep),
    more: Math.max(0, hosts.length - keep),
  };
}

/**
 * Compresses host names that differ only in a trailing number into range
 * notation: `nid00012,nid00013,nid00015` → `nid[00012-00013,00015]`,
 * `x1000c0s0b0n0,x1000c0s0b0n1` → `x1000c0s0b0n[0-1]`. Names are grouped by
 * prefix and digit count, so zero padding is preserved and the result is
 * lossless; groups keep first-seen order. Duplicates are dropped.
 */
export function compressHostList(hosts: readonly string[]): string {
  const groups = new Map<string, { prefix: string; width: number; numbers: number[] }>();
  const out: (string | { key: string })[] = [];
  for (const host of unique(hosts)) {
    const m = /^(.*?)(\d+)$/.exec(host);
    if (!m || !Number.isSafeInteger(Number(m[2]))) {
      out.push(host);
      continue;
    }
    const key = `${m[1]}\u0000${m[2].length}`;
    let group = groups.get(key);
    if (!group) {
      group = { prefix: m[1], width: m[2].length, numbers: [] };
      groups.set(key, group);
      out.push({ key });
    }
    group.numbers.push(Number(m[2]));
  }
  return out.map((item) => {
    if (typeof item === "string") return item;
    const group = groups.get(item.key)!;
    return formatGroup(group.prefix, group.width, group.numbers);
  }).join(",");
}

function formatGroup(prefix: string, width: number, numbers: number[]): string {
  const pad = (n: number) => String(n).padStart(width, "0");
  if (numbers.length === 1) return `${prefix}${pad(numbers[0])}`;
  const sorted = [...numbers].sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = sorted[0];
  let prev = start;
  for (const n of [...sorted.slice(1), Number.NaN]) {
    if (n === prev + 1) {
      prev = n;
      continue;
    }
    ranges.push(start === prev ? pad(start) : `${pad(start)}-${pad(prev)}`);
    start = n;
    prev = n;
  }
  return `${prefix}[${ranges.join(",")}]`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
