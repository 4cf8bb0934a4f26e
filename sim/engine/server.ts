/**
 * The server going down (`qterm`) and coming back (`pbs_server`).
 */
import type { EngineState } from "./state.ts";
import { type Caller, PBSE, SimError } from "../model.ts";
import { afterChange } from "./cycle.ts";

export function stopServer(engine: EngineState, caller: Caller): void {
  if (engine.privilegeOf(caller.user) !== "manager") throw new SimError(PBSE.PERM);
  engine.server.up = false;
}

export function startServer(engine: EngineState, caller: Caller): void {
  if (caller.user !== "root") throw new SimError(PBSE.PERM);
  engine.server.up = true;
  afterChange(engine);
}
