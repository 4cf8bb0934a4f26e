/** argv[0] → command module; a down server turns into each client's own failure. */

import { type CommandOutput, fail, serverDownOutput } from "../errno.ts";
import { sbankListAllocations } from "./allocations.ts";
import { type Command, type CommandContext, ServerDown } from "./context.ts";
import { qalter, qdel, qhold, qmove, qmsg, qorder, qrerun, qrls, qrun, qsig } from "./jobops.ts";
import { pbsServer, qterm, tracejob } from "./misc.ts";
import { pbsnodes } from "./pbsnodes.ts";
import { qmgr } from "./qmgr.ts";
import { qselect } from "./qselect.ts";
import { qstat } from "./qstat.ts";
import { qsub } from "./qsub.ts";
import { pbsRalter, pbsRdel, pbsRstat, pbsRsub } from "./resv.ts";

export const COMMANDS: Record<string, Command> = {
  qsub,
  qstat,
  qselect,
  qdel,
  qhold,
  qrls,
  qalter,
  qmove,
  qorder,
  qsig,
  qrerun,
  qrun,
  qmsg,
  pbsnodes,
  qmgr,
  pbs_rsub: pbsRsub,
  pbs_rstat: pbsRstat,
  pbs_rdel: pbsRdel,
  pbs_ralter: pbsRalter,
  tracejob,
  qterm,
  pbs_server: pbsServer,
  // Not PBS: the allocation command of ALCF's site profiles (allocations.ts).
  "sbank-list-allocations": sbankListAllocations,
};

export function dispatch(ctx: CommandContext): CommandOutput {
  const command = COMMANDS[ctx.command];
  if (!command) return fail(127, `${ctx.command}: command not found\n`);
  try {
    return command(ctx);
  } catch (error) {
    if (!(error instanceof ServerDown)) throw error;
    const down = serverDownOutput({ command: ctx.command, server: ctx.complex.server.name });
    return { ...down, stdout: error.stdout + down.stdout };
  }
}
