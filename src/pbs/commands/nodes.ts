/**
 * pbsnodes: the status of every node (JSON). The server never changes nodes
 * (no offline / reset / comment builders), and reads single nodes from the
 * full list: names given to `pbsnodes` without `-v` are HOST names (golden
 * pbsnodes_one_by_name_fails), and with `-F json` an unknown node is reported
 * inside the JSON with exit 0.
 */

import type { PbsCommand } from "./command.ts";

export interface PbsnodesAllOptions {
  /** `-v`: list every vnode, not only natural nodes. */
  vnodes?: boolean;
}

/** `pbsnodes -a -F json` or `pbsnodes -av -F json`. */
export function pbsnodesAll(options: PbsnodesAllOptions = {}): PbsCommand {
  return { argv: ["pbsnodes", options.vnodes ? "-av" : "-a", "-F", "json"] };
}
