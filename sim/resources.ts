/**
 * Job and reservation resource requests: validation (the PBS errors a bad
 * `-l` earns), defaults (queue, then server, then default_chunk) and the
 * derived values PBS computes (`ncpus`, `nodect`, `mem` from `select`).
 *
 * Facts (OpenPBS 23.06, goldens): without a `select` PBS builds
 * `select=1:ncpus=N[:mem=..][:ngpus=..]` from the job-wide values and uses
 * `place=pack`; an explicit `select` without `place` gets `place=free`.
 * Resource_List prints sorted by name.
 */
import { formatSelect, parseSelect, type SelectChunk } from "../src/pbs/model/select.ts";
import { formatDuration, parseDuration, parseSize } from "../src/pbs/model/time.ts";
import { PBSE, SimError } from "./model.ts";

export type ResourceMap = Record<string, string | number>;

/** One chunk with the consumable amounts the scheduler tracks. */
export interface Chunk {
  count: number;
  ncpus: number;
  ngpus: number;
  memBytes: number;
  /** Chunk-level host/vnode pinning (`select=1:host=x3001c0s1b0n0`). */
  host?: string;
}

export type Arrangement = "free" | "pack" | "scatter" | "vscatter";
export type Sharing = "shared" | "excl" | "exclhost";

export interface Placement {
  arrangement: Arrangement;
  sharing: Sharing;
}

const DURATION_RESOURCES = new Set(["walltime", "cput", "min_walltime", "max_walltime"]);
const SIZE_RESOURCES = new Set([
  "mem",
  "vmem",
  "pmem",
  "pvmem",
  "file",
  "accelerator_memory",
  "hbmem",
]);
const INTEGER_RESOURCES = new Set([
  "ncpus",
  "ngpus",
  "mpiprocs",
  "ompthreads",
  "nodect",
  "naccelerators",
  "nchunk",
  "nmics",
]);
const STRING_RESOURCES = new Set([
  "select",
  "place",
  "arch",
  "host",
  "vnode",
  "software",
  "site",
  "preempt_targets",
  "accelerator",
  "accelerator_model",
  "filesystems",
  "eoe",
  "aoe",
  "nodes",
]);

/** Resources a job may request; anything else is `Unknown resource`. */
export function isKnownResource(name: string): boolean {
  return DURATION_RESOURCES.has(name) || SIZE_RESOURCES.has(name) ||
    INTEGER_RESOURCES.has(name) || STRING_RESOURCES.has(name);
}

/** Resources allowed inside a select chunk. */
const CHUNK_RESOURCES = new Set([
  "ncpus",
  "ngpus",
  "mem",
  "vmem",
  "mpiprocs",
  "ompthreads",
  "host",
  "vnode",
  "arch",
  "naccelerators",
  "accelerator",
  "accelerator_model",
  "accelerator_memory",
  "hbmem",
  "nmics",
  "filesystems",
  "aoe",
  "eoe",
]);

function unknown(name: string): SimError {
  return new SimError(PBSE.UNKRESC, `Resource_List.${name}`);
}

export function unknownInChunk(name: string): SimError {
  return new SimError(PBSE.UNKRESC, name, `Unknown resource: ${name}`);
}

function badValue(name: string): SimError {
  return new SimError(PBSE.BADATVAL, `Resource_List.${name}`);
}

/**
 * Validates `-l name=value` pairs and returns them as a map, values in PBS's
 * canonical form (walltime `HH:MM:SS`, integers as numbers). Later pairs win.
 * Unknown names throw UNKRESC before any value is checked, as PBS does.
 */
export function validateResources(pairs: Array<[string, string]>): ResourceMap {
  for (const [name] of pairs) if (!isKnownResource(name)) throw unknown(name);
  const out: ResourceMap = {};
  for (const [name, value] of pairs) out[name] = canonicalValue(name, value);
  return out;
}

/**
 * Canonical values by resource name and value, kept because requests repeat;
 * refusals are not kept (they throw every time).
 */
const canonicalCache = new Map<string, Map<string, string | number>>();

function canonicalValue(name: string, value: string): string | number {
  // By name, then value: no key string to build (and hash) per call.
  let byValue = canonicalCache.get(name);
  if (byValue === undefined) canonicalCache.set(name, byValue = new Map());
  let canonical = byValue.get(value);
  if (canonical === undefined) {
    canonical = canonicalOf(name, value);
    if (byValue.size >= PARSE_CACHE_LIMIT) byValue.clear();
    byValue.set(value, canonical);
  }
  return canonical;
}

function canonicalOf(name: string, value: string): string | number {
  if (DURATION_RESOURCES.has(name)) {
    const seconds = parseDuration(value);
    if (seconds === undefined) throw badValue(name);
    return formatDuration(seconds);
  }
  if (SIZE_RESOURCES.has(name)) {
    if (parseSize(value) === undefined) throw badValue(name);
    return value.toLowerCase();
  }
  if (INTEGER_RESOURCES.has(name)) {
    if (!/^\d+$/.test(value.trim())) throw badValue(name);
    return Number(value.trim());
  }
  if (name === "select") return canonicalSelect(value);
  if (name === "place") {
    parsePlace(value);
    return value;
  }
  return value;
}

function canonicalSelect(value: string): string {
  let chunks: readonly SelectChunk[];
  try {
    chunks = parsedSelect(value);
  } catch {
    throw badValue("select");
  }
  for (const chunk of chunks) {
    for (const name in chunk.resources) {
      const v = chunk.resources[name];
      // A chunk's unknown resource reads `Unknown resource: NAME` (qsub_err_ngpus_not_defined).
      if (!CHUNK_RESOURCES.has(name)) throw unknownInChunk(name);
      if (INTEGER_RESOURCES.has(name) && !/^\d+$/.test(v)) throw badValue("select");
      if (SIZE_RESOURCES.has(name) && parseSize(v) === undefined) throw badValue("select");
    }
  }
  return value;
}

/** Parses `place` (`scatter:excl`, `pack`, `excl`); throws BADATVAL on other words. */
export function parsePlace(value: string): Placement {
  let placement = placeCache.get(value);
  if (placement === undefined) {
    placement = placeOf(value);
    if (placeCache.size >= PARSE_CACHE_LIMIT) placeCache.clear();
    placeCache.set(value, placement);
  }
  return placement;
}

/** Parsed `place` values, shared by the jobs asking the same (never changed in place). */
const placeCache = new Map<string, Placement>();

function placeOf(value: string): Placement {
  const placement: Placement = { arrangement: "free", sharing: "shared" };
  for (const word of value.split(":")) {
    if (word === "free" || word === "pack" || word === "scatter" || word === "vscatter") {
      placement.arrangement = word;
    } else if (word === "excl" || word === "shared" || word === "exclhost") {
      placement.sharing = word;
    } else if (!word.startsWith("group=")) {
      throw badValue("place");
    }
  }
  return placement;
}

export interface Defaults {
  queue: ResourceMap;
  server: ResourceMap;
  defaultChunk: ResourceMap;
}

/**
 * Completes a job's Resource_List: queue then server defaults for missing
 * job-wide values, then select/place and the derived ncpus/nodect/mem/ngpus.
 * Returns the names that came from the queue's defaults (PBS drops and
 * re-applies those on qmove).
 */
export function completeResources(
  requested: ResourceMap,
  defaults: Defaults,
): { resources: ResourceMap; fromQueue: string[] } {
  const resources: ResourceMap = { ...requested };
  const fromQueue: string[] = [];
  const hasSelect = resources.select !== undefined;
  // for-in over plain maps (no Object.entries arrays): thousands of jobs come through here.
  for (const name in defaults.queue) {
    if (resources[name] === undefined && !(hasSelect && isChunkLevel(name))) {
      resources[name] = defaults.queue[name];
      fromQueue.push(name);
    }
  }
  for (const name in defaults.server) {
    if (resources[name] === undefined && !(hasSelect && isChunkLevel(name))) {
      resources[name] = defaults.server[name];
    }
  }
  if (!hasSelect) {
    resources.select = selectFromJobWide(resources, defaults.defaultChunk);
    resources.place ??= "pack";
  } else {
    resources.place ??= "free";
  }
  deriveTotals(resources, defaults.defaultChunk);
  return { resources, fromQueue };
}

function isChunkLevel(name: string): boolean {
  return name === "ncpus" || name === "mem" || name === "ngpus" || name === "vmem";
}

function selectFromJobWide(resources: ResourceMap, defaultChunk: ResourceMap): string {
  const chunk: Record<string, string> = {};
  chunk.ncpus = String(resources.ncpus ?? defaultChunk.ncpus ?? 1);
  if (resources.mem !== undefined) chunk.mem = String(resources.mem);
  if (resources.ngpus !== undefined) chunk.ngpus = String(resources.ngpus);
  return formatSelect([{ count: 1, resources: chunk }]);
}

/** Sets ncpus, nodect and (when chunks ask for them) mem and ngpus from `select`. */
export function deriveTotals(resources: ResourceMap, defaultChunk: ResourceMap): void {
  const chunks = chunksOf(String(resources.select), defaultChunk);
  let nodect = 0, ncpus = 0, ngpus = 0, mem = 0;
  let askedGpus = false, askedMem = false;
  for (const c of parsedSelect(String(resources.select))) {
    if (c.resources.ngpus !== undefined) askedGpus = true;
    if (c.resources.mem !== undefined) askedMem = true;
  }
  for (const c of chunks) {
    nodect += c.count;
    ncpus += c.count * c.ncpus;
    ngpus += c.count * c.ngpus;
    mem += c.count * c.memBytes;
  }
  resources.ncpus = ncpus;
  resources.nodect = nodect;
  if (askedGpus) resources.ngpus = ngpus;
  if (askedMem) resources.mem = sizeText(mem);
}

/**
 * Select strings repeat (a workload has a few dozen shapes), so their parses
 * are kept; callers only read them. Bounded: cleared when it grows past this.
 */
const PARSE_CACHE_LIMIT = 4096;
const selectCache = new Map<string, readonly SelectChunk[]>();
/** By default_chunk's ncpus, then select text. */
const chunkCache = new Map<string | number | undefined, Map<string, Chunk[]>>();

/** `parseSelect`, memoised; the result is shared and must not be changed. */
function parsedSelect(select: string): readonly SelectChunk[] {
  let parsed = selectCache.get(select);
  if (parsed === undefined) {
    parsed = parseSelect(select);
    if (selectCache.size >= PARSE_CACHE_LIMIT) selectCache.clear();
    selectCache.set(select, parsed);
  }
  return parsed;
}

/**
 * Expands a select string into consumable chunks (default_chunk fills ncpus).
 * Jobs with the same request share the array: it is never changed in place.
 */
export function chunksOf(select: string, defaultChunk: ResourceMap = {}): Chunk[] {
  let bySelect = chunkCache.get(defaultChunk.ncpus);
  if (bySelect === undefined) chunkCache.set(defaultChunk.ncpus, bySelect = new Map());
  let chunks = bySelect.get(select);
  if (chunks === undefined) {
    chunks = parsedSelect(select).map(({ count, resources }) => ({
      count,
      ncpus: Number(resources.ncpus ?? defaultChunk.ncpus ?? 1),
      ngpus: Number(resources.ngpus ?? 0),
      memBytes: resources.mem ? parseSize(resources.mem) ?? 0 : 0,
      host: resources.host ?? resources.vnode,
    }));
    if (bySelect.size >= PARSE_CACHE_LIMIT) bySelect.clear();
    bySelect.set(select, chunks);
  }
  return chunks;
}

/** A byte count in the largest unit that divides it (`100mb`, `7516kb`). */
export function sizeText(bytes: number): string {
  const units = ["b", "kb", "mb", "gb", "tb"];
  let value = bytes;
  let unit = 0;
  while (unit < units.length - 1 && value !== 0 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return `${value}${units[unit]}`;
}

/** Bytes as PBS prints them in exec_vnode and resources_used: always kb. */
export function kbText(bytes: number): string {
  return `${Math.round(bytes / 1024)}kb`;
}

/** Seconds of a duration-valued resource, or undefined. */
export function durationOf(resources: ResourceMap, name: string): number | undefined {
  const value = resources[name];
  return value === undefined ? undefined : durationSeconds(String(value));
}

/** `parseDuration`, memoised: walltimes and queue limits are a handful of texts. */
const durationCache = new Map<string, number | undefined>();

function durationSeconds(text: string): number | undefined {
  if (durationCache.has(text)) return durationCache.get(text);
  const seconds = parseDuration(text);
  if (durationCache.size >= PARSE_CACHE_LIMIT) durationCache.clear();
  durationCache.set(text, seconds);
  return seconds;
}

/** Compares a request value with a limit: negative when below, positive when above. */
function compareResource(name: string, value: string | number, limit: string | number): number {
  if (DURATION_RESOURCES.has(name)) {
    return (durationSeconds(String(value)) ?? 0) - (durationSeconds(String(limit)) ?? 0);
  }
  if (SIZE_RESOURCES.has(name)) {
    return (parseSize(String(value)) ?? 0) - (parseSize(String(limit)) ?? 0);
  }
  if (INTEGER_RESOURCES.has(name)) return Number(value) - Number(limit);
  return 0;
}

/** True when every resource the job has is within [min, max] of a queue. */
export function withinLimits(
  resources: ResourceMap,
  max: ResourceMap,
  min: ResourceMap,
): boolean {
  for (const name in max) {
    const value = resources[name];
    if (value !== undefined && compareResource(name, value, max[name]) > 0) return false;
  }
  for (const name in min) {
    const value = resources[name];
    if (value !== undefined && compareResource(name, value, min[name]) < 0) return false;
  }
  return true;
}

/** Resource_List as PBS prints it: sorted by name. */
export function sortedResources(resources: ResourceMap): Array<[string, string | number]> {
  return Object.entries(resources).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
