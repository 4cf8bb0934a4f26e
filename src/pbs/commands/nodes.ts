/**
 * pbsnodes: node status (JSON) and the operator actions offline / reset /
 * comment.
 *
 * Names given to `pbsnodes` without `-v` are HOST names (golden
 * pbsnodes_one_by_name_fails), so single nodes are always queried with `-v`.
 * With `-F json` an unknown node is reported inside the JSON with exit 0.
 */

import { invalidInput } from "../errors.ts";
import { validateComment, validateNodeName } from "../validate.ts";
import type { PbsCommand } from "./command.ts";

export interface PbsnodesAllOptions {
  /** `-v`: list every vnode, not only natural nodes. */
  vnodes?: boolean;
}

/** `pbsnodes -a -F json` or `pbsnodes -av -F json`. */
export function pbsnodesAll(options: PbsnodesAllOptions = {}): PbsCommand {
  return { argv: ["pbsnodes", options.vnodes ? "-av" : "-a", "-F", "json"] };
}

/** `pbsnodes -v -F json NAME`: one vnode by its vnode name. */
export function pbsnodesVnode(name: string): PbsCommand {
  return { argv: ["pbsnodes", "-v", "-F", "json", validateNodeName(name)] };
}

/** `pbsnodes -aSj -F json`: one-line summary per node with its jobs. */
export function pbsnodesSummary(): PbsCommand {
  return { argv: ["pbsnodes", "-aSj", "-F", "json"] };
}

/** `pbsnodes -l`: nodes that are down or offline, with their comments (text). */
export function pbsnodesDownOrOffline(): PbsCommand {
  return { argv: ["pbsnodes", "-l"] };
}

/** `pbsnodes -o [-C COMMENT] NODE...`: mark offline (manager/operator). */
export function pbsnodesOffline(nodes: string | readonly string[], comment?: string): PbsCommand {
  return { argv: ["pbsnodes", "-o", ...commentArgs(comment), ...nodeList(nodes)] };
}

/** `pbsnodes -r [-C COMMENT] NODE...`: clear offline (manager/operator). */
export function pbsnodesReset(nodes: string | readonly string[], comment?: string): PbsCommand {
  return { argv: ["pbsnodes", "-r", ...commentArgs(comment), ...nodeList(nodes)] };
}

/** `pbsnodes -C COMMENT NODE...`: set the comment only; `""` clears it. */
export function pbsnodesComment(nodes: string | readonly string[], comment: string): PbsCommand {
  return { argv: ["pbsnodes", "-C", validateComment(comment), ...nodeList(nodes)] };
}

function commentArgs(comment: string | undefined): string[] {
  return comment === undefined ? [] : ["-C", validateComment(comment)];
}

function nodeList(nodes: string | readonly string[]): string[] {
  const list: unknown[] = Array.isArray(nodes) ? [...nodes] : [nodes];
  if (list.length === 0) {
    throw invalidInput("No node name was given.", "Give at least one node, e.g. node001.");
  }
  return list.map(validateNodeName);
}
