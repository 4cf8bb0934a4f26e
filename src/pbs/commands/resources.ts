/**
 * The `-l` resource requests shared by qsub and qalter: walltime, a select
 * (given whole or built from node/cpu/gpu/memory counts), place, filesystems
 * and extra `name=value` resources, each as its own `-l` (as PBS users write
 * them: `-l walltime=01:00:00 -l select=2:ncpus=4`).
 */

import { invalidInput } from "../errors.ts";
import { formatSelect, type SelectChunk } from "../model/select.ts";
import {
  validateFilesystems,
  validateMemSize,
  validateNonNegativeInt,
  validatePlace,
  validatePositiveInt,
  validateResourceName,
  validateResourceValue,
  validateSelect,
  validateWalltime,
} from "../validate.ts";

export interface ResourceRequest {
  /** `-l walltime=`: `HH:MM:SS`, `MM:SS`, seconds as text, or a number of seconds. */
  walltime?: string | number;
  /**
   * `-l select=`: the full chunk specification (`2:ncpus=4:mem=8gb+1:ngpus=1`).
   * Replaces `nodes`, `ncpus`, `ngpus` and `mem`; giving both is an error.
   */
  select?: string;
  /** Number of chunks (nodes) for a built select; default 1. */
  nodes?: number;
  /** CPUs per chunk for a built select. */
  ncpus?: number;
  /** GPUs per chunk for a built select. */
  ngpus?: number;
  /** Memory per chunk for a built select (`8gb`, or bytes as a number). */
  mem?: string | number;
  /** `-l place=`: `free|pack|scatter|vscatter[:excl|shared|exclhost][:group=res]`. */
  place?: string;
  /** `-l filesystems=home:eagle` (ALCF sites): names as a list or `:`-joined. */
  filesystems?: string | readonly string[];
  /**
   * Other resources, each sent as `-l name=value`. Names with a field of their
   * own above (select, place, walltime, filesystems, ncpus, ngpus, mem, nodes)
   * are refused here so a request cannot say two things at once.
   */
  resources?: Record<string, string | number>;
}

const DEDICATED = ["select", "place", "walltime", "filesystems", "ncpus", "ngpus", "mem", "nodes"];

/** The `-l` arguments for a request, in the order walltime, select, place, filesystems, extras. */
export function resourceArgs(request: ResourceRequest): string[] {
  return resourcePairs(request).flatMap(([name, value]) => ["-l", `${name}=${value}`]);
}

/** The validated `-l` requests as `[name, value]` pairs, in resourceArgs' order. */
export function resourcePairs(request: ResourceRequest): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (request.walltime !== undefined) pairs.push(["walltime", validateWalltime(request.walltime)]);
  const select = selectFor(request);
  if (select !== undefined) pairs.push(["select", select]);
  if (request.place !== undefined) pairs.push(["place", validatePlace(request.place)]);
  if (request.filesystems !== undefined) {
    pairs.push(["filesystems", validateFilesystems(request.filesystems)]);
  }
  if (request.resources !== undefined) {
    for (const [name, value] of Object.entries(resourceMap(request.resources))) {
      pairs.push(extraResource(name, value));
    }
  }
  return pairs;
}

/** The select string: given whole, built from counts, or absent. */
function selectFor(request: ResourceRequest): string | undefined {
  const counts = {
    nodes: request.nodes,
    ncpus: request.ncpus,
    ngpus: request.ngpus,
    mem: request.mem,
  };
  const given = Object.entries(counts).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (request.select !== undefined) {
    if (given.length > 0) {
      throw invalidInput(
        `select was given together with ${given.join(", ")}; select replaces them.`,
        "Either give select (e.g. 2:ncpus=4:mem=8gb) or the separate counts, not both.",
      );
    }
    return validateSelect(request.select);
  }
  if (given.length === 0) return undefined;
  const resources: Record<string, string> = {};
  if (counts.ncpus !== undefined) resources.ncpus = count(counts.ncpus, "ncpus");
  // 0 GPUs is a valid request: ngpus is a consumable count.
  if (counts.ngpus !== undefined) {
    resources.ngpus = validateNonNegativeInt(counts.ngpus, "ngpus", "4");
  }
  if (counts.mem !== undefined) resources.mem = validateMemSize(counts.mem, "mem");
  const chunk: SelectChunk = {
    count: counts.nodes === undefined ? 1 : Number(count(counts.nodes, "nodes")),
    resources,
  };
  return formatSelect([chunk]);
}

function count(value: unknown, name: string): string {
  return validatePositiveInt(value, name, "4");
}

function resourceMap(value: unknown): Record<string, string | number> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidInput(
      "resources must be a name→value map.",
      'Give e.g. {"software": "vasp"} for -l software=vasp.',
    );
  }
  return value as Record<string, string | number>;
}

function extraResource(name: string, value: string | number): [string, string] {
  const checked = validateResourceName(name);
  if (DEDICATED.includes(checked)) {
    throw invalidInput(
      `Resource '${checked}' has its own field and cannot be given in resources.`,
      `Set the ${checked} field instead.`,
    );
  }
  return [checked, validateResourceValue(checked, value)];
}
