/**
 * Public entry of the PBS simulator: a complex (`createScenario`, `Complex`)
 * and the runner that answers PBS command lines against it (`SimRunner`);
 * snapshots of a complex as parsed PBS state (`saveSnapshot`, `loadSnapshot`).
 */

export { type SimFaults, SimRunner, type SimRunnerOptions, TIMED_OUT_CODE } from "./runner.ts";
export { createScenario, SCENARIO_NAMES } from "./scenarios.ts";
export { Complex } from "./complex.ts";
export type { ComplexApi } from "./model.ts";
export {
  configFromState,
  type JobPlan,
  type LoadedComplex,
  loadSnapshot,
  type PbsStateSnapshot,
  saveSnapshot,
  SNAPSHOT_FORMAT,
} from "./snapshot.ts";
export type { QueuejobHook } from "./hooks.ts";
