/**
 * A decoy PBS installation: every PBS command name as a recorder that notes
 * its call and fails. Stands for the site's real PBS on a login node; a test
 * (or .ci/run, for the whole suite) passes only if nothing was recorded.
 */
import { PBS_COMMANDS } from "../../src/pbs/real_runner.ts";

export interface DecoyPbs {
  /** The installation prefix (recorders in `bin/` and `sbin/`). */
  exec: string;
  /** A pbs.conf whose PBS_EXEC is `exec`. */
  conf: string;
  /** Environment pointing every lookup at the decoy: PBS_EXEC, PATH first, PBS_CONF_FILE. */
  env: Record<string, string>;
  /** The calls recorded so far, one line each. */
  recorded(): string[];
}

export function makeDecoyPbs(root: string): DecoyPbs {
  const exec = `${root}/decoy-pbs`;
  const log = `${root}/decoy-calls.log`;
  for (const sub of ["bin", "sbin"]) {
    Deno.mkdirSync(`${exec}/${sub}`, { recursive: true });
    for (const name of PBS_COMMANDS) {
      const path = `${exec}/${sub}/${name}`;
      Deno.writeTextFileSync(
        path,
        `#!/bin/sh\necho "$0 $*" >> '${log}'\necho "decoy ${name}: a test reached the host's PBS" >&2\nexit 1\n`,
      );
      Deno.chmodSync(path, 0o755);
    }
  }
  const conf = `${root}/pbs.conf`;
  Deno.writeTextFileSync(conf, `PBS_SERVER=decoy\nPBS_EXEC=${exec}\n`);
  return {
    exec,
    conf,
    env: { PBS_EXEC: exec, PATH: `${exec}/bin:/usr/bin:/bin`, PBS_CONF_FILE: conf },
    recorded() {
      try {
        return Deno.readTextFileSync(log).split("\n").filter((l) => l !== "");
      } catch {
        return [];
      }
    },
  };
}
