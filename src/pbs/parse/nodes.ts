/**
 * Nodes from `pbsnodes -a -F json`, `pbsnodes -av -F json` and the summary
 * form `pbsnodes -aSj -F json` (section key `"nodes"`, lower case).
 *
 * pbsnodes reports a node it cannot find inside the JSON, with exit code 0:
 * `{"nodes": {"nosuchnode": {"nosuchnode": "Unknown node "}}}` (master) or
 * `{"nodes": {"nosuchnode": {"Error": "Unknown node "}}}` (release 23.06).
 * Such entries are returned separately, never as nodes.
 */

import type { Node } from "../model/types.ts";
import { parsePbsTime } from "../model/time.ts";
import {
  type FlatAttributes,
  flattenAttributes,
  parseInteger,
  resourceMaps,
  sectionEntries,
  setDefined,
  splitList,
} from "./attributes.ts";

export interface NodesResult {
  nodes: Node[];
  /** Names pbsnodes reported as unknown (`"Unknown node "`). */
  unknown: string[];
}

/** Nodes in pbsnodes JSON output; unknown-node entries are left out. */
export function parseNodesJson(text: string): Node[] {
  return parseNodesJsonDetailed(text).nodes;
}

/** Nodes in pbsnodes JSON output, plus the names pbsnodes said it does not know. */
export function parseNodesJsonDetailed(text: string): NodesResult {
  const result: NodesResult = { nodes: [], unknown: [] };
  for (const [name, value] of sectionEntries(text, "nodes")) {
    if (!isUnknownNodeEntry(name, value)) {
      result.nodes.push(buildNode(name, flattenAttributes(value)));
    } else {
      result.unknown.push(name);
    }
  }
  return result;
}

/**
 * pbsnodes' error entry holds just the message, under the node's own name
 * (master) or `Error` (release); a real node always has a state.
 */
function isUnknownNodeEntry(name: string, value: Record<string, unknown>): boolean {
  if (Object.hasOwn(value, "state") || Object.hasOwn(value, "State")) return false;
  return typeof value[name] === "string" || typeof value["Error"] === "string";
}

/** Builds a Node from its name and flat text attributes. */
export function buildNode(name: string, a: FlatAttributes): Node {
  const resources = resourceMaps(a);
  const node: Node = {
    name,
    // `State` is the key of the -aSj summary form.
    states: splitList(a["state"] ?? a["State"]),
    jobs: jobIds(a["jobs"]),
    reservations: splitList(a["resv"]),
    resourcesAvailable: resources["resources_available"] ?? {},
    resourcesAssigned: resources["resources_assigned"] ?? {},
    attributes: a,
  };
  setDefined(node, "mom", a["Mom"]);
  setDefined(node, "ntype", a["ntype"]);
  setDefined(node, "pcpus", parseInteger(a["pcpus"]));
  setDefined(node, "comment", a["comment"]);
  setDefined(node, "sharing", a["sharing"]);
  setDefined(node, "queue", a["queue"]);
  setDefined(node, "lastStateChange", optionalTime(a["last_state_change_time"]));
  setDefined(node, "lastUsed", optionalTime(a["last_used_time"]));
  return node;
}

/**
 * Job ids on a node, de-duplicated in order. JSON gives a list; the text form
 * and -aSj repeat ids per CPU slot (`2.vm/0, 2.vm/1`).
 */
function jobIds(text: string | undefined): string[] {
  const ids = splitList(text).map((entry) => entry.replace(/\/\d+$/, ""));
  return [...new Set(ids)];
}

/** Epoch integers in JSON, ctime(3) strings in text: both to epoch seconds. */
function optionalTime(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parsePbsTime(text);
}
