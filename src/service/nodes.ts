/**
 * The one rule for "usable node" that every answer about capacity shares
 * (list_nodes' free counts, diagnose_job's "could this ever run" check).
 */
import { classifyNodeState } from "../pbs/model/states.ts";
import type { Node } from "../pbs/model/types.ts";

/**
 * A node that can take work now or once its jobs end: up and not offline
 * (free or busy). Down, offline and unrecognised states take no new jobs, so
 * nothing on such a node counts as free and it adds nothing to capacity.
 */
export function isUsableNode(node: Node): boolean {
  const bucket = classifyNodeState(node.states);
  return bucket === "free" || bucket === "busy";
}
