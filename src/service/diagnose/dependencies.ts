/**
 * Dependencies: which jobs this job waits on, and whether each one still blocks.
 *
 * A dependency wait is job state H with `Hold_Types` `s` and substate 22; the
 * `depend` attribute names the jobs, and their state and exit status decide
 * whether the wait can still end.
 */
import { isFinished } from "../../pbs/model/states.ts";
import type { DependencyStatus, DependencyTarget } from "./types.ts";

/** Dependency types where this job waits for another one. */
const WAITS_ON = new Set(["after", "afterok", "afternotok", "afterany"]);

/**
 * `afterok:2.vm@vm:3.vm,afterany:4.vm` → the jobs this job waits on, in order.
 * `before*` entries (other jobs waiting on this one), `on:N` and `runone` do
 * not make this job wait on a named job and are skipped.
 */
export function parseDependencies(depend: string): { type: string; jobId: string }[] {
  const out: { type: string; jobId: string }[] = [];
  for (const clause of depend.split(",").map((c) => c.trim()).filter((c) => c !== "")) {
    const [type, ...ids] = clause.split(":").map((p) => p.trim());
    if (!WAITS_ON.has(type.toLowerCase())) continue;
    for (const id of ids.filter((i) => i !== "")) {
      // `2.vm@vm`: the `@server` part names where the job lives, not the id.
      out.push({ type: type.toLowerCase(), jobId: id.split("@")[0] });
    }
  }
  return out;
}

/** Whether a dependency still blocks, given the target's state and exit status. */
export function dependencyCondition(target: DependencyTarget): DependencyStatus["condition"] {
  if (target.state === undefined) return "unknown";
  const done = isFinished(target.state);
  switch (target.type) {
    case "after":
      return target.state === "R" || target.state === "E" || done ? "met" : "waiting";
    case "afterany":
      return done ? "met" : "waiting";
    case "afterok":
      if (!done) return "waiting";
      return target.exitStatus === 0 ? "met" : "impossible";
    case "afternotok":
      if (!done) return "waiting";
      return target.exitStatus !== undefined && target.exitStatus !== 0 ? "met" : "impossible";
    default:
      return "unknown";
  }
}
