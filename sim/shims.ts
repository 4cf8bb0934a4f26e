/**
 * `main.ts sim shims DIR`: writes DIR/bin/qsub, DIR/bin/qstat, ... — small
 * POSIX sh scripts that exec `deno run` on sim/shims_main.ts with narrow
 * permissions (read: anywhere, as qsub reads the caller's script files;
 * write: the state directory only; environment: the login name and time
 * zone; no network, no subprocesses). With `PBS_EXEC=DIR` the production
 * RealRunner runs them unchanged, and a person can type `qstat` against the
 * simulated complex.
 */

import { shellQuote } from "../src/service/shell_quote.ts";
import { ensureState, homeIn, type PersistedSettings, type StateFile } from "./shims_state.ts";

/** The commands written, as issue 10 lists them. */
export const SHIM_COMMANDS = [
  "qsub",
  "qstat",
  "qdel",
  "qhold",
  "qrls",
  "qalter",
  "qmove",
  "qselect",
  "pbsnodes",
  "qmgr",
  "pbs_rsub",
  "pbs_rstat",
  "pbs_rdel",
  "tracejob",
] as const;

export interface ShimOptions extends PersistedSettings {
  /** Where the complex persists; default DIR/state. */
  stateDir?: string;
  /** The simulated caller; absent: the OS login name, mapped as demo mode does. */
  user?: string;
}

export interface WrittenShims {
  bin: string;
  stateDir: string;
  state: StateFile;
}

/** Writes the shims and creates (or reuses) the persisted complex. */
export function writeShims(dir: string, options: ShimOptions): WrittenShims {
  const root = absolute(dir);
  const stateDir = absolute(options.stateDir ?? `${root}/state`);
  const state = ensureState(stateDir, options);
  const bin = `${root}/bin`;
  Deno.mkdirSync(bin, { recursive: true });
  const entry = new URL("./shims_main.ts", import.meta.url).pathname;
  const deno = Deno.execPath();
  // The shims use the Deno cache of whoever wrote them, even under another environment
  // (an ssh session, a GUI client): compiled modules are reused, nothing is fetched.
  const denoDir = Deno.env.get("DENO_DIR");
  for (const command of SHIM_COMMANDS) {
    const argv = [
      deno,
      "run",
      "--quiet",
      "--no-prompt",
      "--no-config",
      "--no-lock",
      "--allow-read",
      `--allow-write=${stateDir}`,
      "--allow-env=USER,LOGNAME,PBS_TZID,TZ",
      entry,
      stateDir,
      options.user ?? "-",
      command,
    ];
    const script = [
      "#!/bin/sh",
      `# ${command} of the simulated PBS complex in ${stateDir} (written by main.ts sim shims)`,
      ...(denoDir ? [`DENO_DIR=${shellQuote(denoDir)}`, "export DENO_DIR"] : []),
      `exec ${argv.map(shellQuote).join(" ")} "$@"`,
      "",
    ].join("\n");
    const path = `${bin}/${command}`;
    Deno.writeTextFileSync(path, script);
    Deno.chmodSync(path, 0o755);
  }
  return { bin, stateDir, state };
}

/** What `main.ts sim shims` prints: where things are and how to use them. */
export function shimsSummary(written: WrittenShims, user: string): string {
  const { bin, stateDir, state } = written;
  const prefix = bin.replace(/\/bin$/, "");
  return [
    `Wrote ${SHIM_COMMANDS.length} PBS commands to ${bin}.`,
    `Simulated "${state.scenario}" complex (seed ${state.seed}, ${state.speed}× real time) ` +
    `persisted in ${stateDir}.`,
    `They act as the simulated user "${user}"; job output lands under ${stateDir}/files ` +
    `(qsub from ${homeIn(stateDir, user)} to find it at the path PBS reports).`,
    "",
    "Try them in a terminal:",
    `  export PATH=${shellQuote(bin)}:"$PATH"`,
    "  qstat -Q",
    "Or point the server at them:",
    `  PBS_EXEC=${shellQuote(prefix)} deno task start`,
  ].join("\n");
}

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}
