/**
 * Node marking: `pbsnodes -o/-r/-C` (offline, clear, comment) and a mom going
 * down or coming back.
 */
import type { EngineState } from "./state.ts";
import { type Caller, PBSE, SimError } from "../model.ts";
import { afterChange } from "./cycle.ts";

export function markNode(
  engine: EngineState,
  caller: Caller,
  name: string,
  action: "offline" | "clear" | "comment",
  comment?: string,
): void {
  engine.requireUp();
  const i = engine.pool.index.get(name);
  if (i === undefined) throw new SimError(PBSE.UNKNODE, name);
  if (!engine.isPrivileged(caller)) throw new SimError(PBSE.PERM, name);
  const node = engine.pool.nodes[i];
  const now = engine.now();
  if (action !== "comment") {
    if (engine.pool.setFlag(i, "offline", action === "offline")) node.lastStateChangeTime = now;
  }
  if (comment !== undefined) node.comment = comment === "" ? undefined : comment;
  afterChange(engine);
}

/** A mom going down or coming back (not a PBS command; scenarios and tests use it). */
export function setNodeDown(
  engine: EngineState,
  name: string,
  down: boolean,
  comment = "node down: communication closed",
): void {
  const i = engine.pool.index.get(name);
  if (i === undefined) throw new SimError(PBSE.UNKNODE, name);
  const node = engine.pool.nodes[i];
  if (engine.pool.setFlag(i, "down", down)) node.lastStateChangeTime = engine.now();
  if (down) node.comment = comment;
  else if (node.comment === comment) node.comment = undefined;
  afterChange(engine);
}
