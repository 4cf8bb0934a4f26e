/**
 * Gathers what src/permissions.ts computes the Deno permissions from: the
 * configuration in the environment, the caller, and the PBS installation found
 * the way the real runner finds it (PBS_EXEC, then PATH, then pbs.conf). Runs
 * with read access only (`deno task permissions`); starts no program.
 */
import { type CliOptions, parseCli } from "./cli_args.ts";
import { resolveServing } from "./config_file.ts";
import { lookupFromEnv, PBS_COMMANDS, RealRunner } from "./pbs/real_runner.ts";
import {
  computePermissions,
  demoOutputBase,
  type PermissionFacts,
  permissionFlags,
} from "./permissions.ts";
import { loadConfig } from "./service/config.ts";
import { activeProfile, allocationPrograms } from "./service/profiles.ts";
import { passwdEntry } from "./service/os_user.ts";

export const PASSWD_FILE = "/etc/passwd";

export interface GatheredFacts {
  facts: PermissionFacts;
  /** What a person should know about the result (commands not found, ...). */
  notes: string[];
}

export interface ServerCommand {
  /** The deno executable. */
  command: string;
  /** `run`, the permission flags, main.ts and the server's own arguments. */
  args: string[];
  /** What a person should know about the result. */
  notes: string[];
}

/**
 * The command that serves as `serverArgs` say (`--demo`, `--http ...`) with
 * exactly the permissions this machine needs: what `main.ts permissions`
 * prints and what a client configuration should run. Throws on bad arguments.
 */
export async function serverCommand(serverArgs: string[], main: string): Promise<ServerCommand> {
  const { facts, notes } = await gatherPermissionFacts(parseCli(serverArgs));
  const flags = permissionFlags(computePermissions(facts));
  return { command: Deno.execPath(), args: ["run", ...flags, main, ...serverArgs], notes };
}

/** The facts for serving as `cli` says (demo or real, stdio or HTTP) on this machine. */
export async function gatherPermissionFacts(cli: CliOptions): Promise<GatheredFacts> {
  // The environment over the configuration file, as main.ts reads them.
  const serving = await resolveServing(cli);
  // TODO(ssh clusters): permissions of every served cluster, not only the default one.
  const mode = serving.mode === "demo" ? "demo" : "real";
  const env = serving.env;
  const notes: string[] = [];
  const entry = mode === "real" ? await ownPasswdEntry() : undefined;
  // As main.ts resolves the home directory: $HOME, else (real mode) the passwd entry's.
  const home = env.HOME || entry?.home;
  const config = loadConfig(env, home);
  const profile = await activeProfile(
    config.profile,
    mode === "demo" ? serving.scenario : undefined,
  );
  const httpFiles = [
    env.PBS_MCP_HTTP_TOKENS_FILE,
    cli.http?.kind === "tcp" ? cli.http.cert : undefined,
    cli.http?.kind === "tcp" ? cli.http.key : undefined,
  ].filter((f): f is string => f !== undefined);
  const base: PermissionFacts = {
    mode,
    http: cli.http,
    pbsPrograms: [],
    // A site profile's file is read at start-up (built-in ones are compiled in).
    allowedDirs: await withResolved([
      ...config.allowedDirs,
      ...(config.profile?.includes("/") ? [config.profile] : []),
    ]),
    auditLog: config.auditLog,
    httpFiles,
    configFile: serving.configPath,
  };
  if (mode === "demo") {
    const demoBase = demoOutputBase(env.HOME || undefined);
    if (!demoBase) notes.push("HOME is unset: demo mode runs without job output files");
    return { facts: { ...base, demoOutputBase: demoBase }, notes };
  }
  const lookup = lookupFromEnv(env);
  const runner = new RealRunner({ baseEnv: env, lookup });
  const pbsPrograms: string[] = [];
  const missing: string[] = [];
  for (const name of PBS_COMMANDS) {
    try {
      pbsPrograms.push(runner.resolve(name));
    } catch {
      missing.push(name);
    }
  }
  notes.push(runner.describeInstallation().description);
  // The site profile's allocation command (get_allocation), found like PBS's commands.
  const extraPrograms: string[] = [];
  for (const name of allocationPrograms(profile)) {
    try {
      extraPrograms.push(runner.resolve(name));
    } catch {
      notes.push(`the site profile's allocation command ${name} was not found, so not granted`);
    }
  }
  if (missing.length > 0) {
    notes.push(`not found, so not granted: ${missing.join(", ")}`);
  }
  const idProgram = entry ? undefined : findOnPath("id", lookup.path);
  if (idProgram) notes.push(`your uid has no ${PASSWD_FILE} entry: granting ${idProgram}`);
  return {
    facts: {
      ...base,
      pbsPrograms,
      idProgram,
      extraPrograms,
      pbsConfFile: lookup.pbsConfFile,
      passwdFile: PASSWD_FILE,
      submitDir: config.submitDir,
    },
    notes,
  };
}

async function ownPasswdEntry() {
  try {
    return passwdEntry(await Deno.readTextFile(PASSWD_FILE), Deno.uid() ?? -1);
  } catch {
    return undefined;
  }
}

/**
 * Each directory, and its resolved path when that differs: tools open files
 * by their resolved path (service/files.ts), which Deno checks as given.
 */
async function withResolved(dirs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const dir of dirs) {
    out.push(dir);
    const real = await Deno.realPath(dir).catch(() => undefined);
    if (real && real !== dir) out.push(real);
  }
  return out;
}

function findOnPath(name: string, path: readonly string[]): string | undefined {
  for (const dir of path) {
    const candidate = `${dir.replace(/\/+$/, "")}/${name}`;
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && (info.mode === null || (info.mode & 0o111) !== 0)) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
