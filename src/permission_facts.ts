/**
 * Gathers what src/permissions.ts computes the Deno permissions from, for
 * every served cluster: the configuration (environment and file), the caller,
 * the PBS installation found the way the real runner finds it (PBS_EXEC, then
 * PATH, then pbs.conf), and `ssh` on PATH for clusters behind a login node.
 * Runs with read access only (`deno task permissions`); starts no program.
 */
import { type CliOptions, parseCli } from "./cli_args.ts";
import { resolveServing, type ServedCluster, type Serving } from "./config_file.ts";
import { lookupFromEnv, PBS_COMMANDS, RealRunner } from "./pbs/real_runner.ts";
import {
  computePermissions,
  demoOutputBase,
  mergePermissions,
  type PermissionFacts,
  permissionFlags,
} from "./permissions.ts";
import { loadConfig } from "./service/config.ts";
import { activeProfile, allocationPrograms } from "./service/profiles.ts";
import { passwdEntry } from "./service/os_user.ts";

export const PASSWD_FILE = "/etc/passwd";

export interface GatheredFacts {
  /** One for each served cluster: the server needs all of them (mergePermissions). */
  facts: PermissionFacts[];
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
  const flags = permissionFlags(mergePermissions(facts.map(computePermissions)));
  return { command: Deno.execPath(), args: ["run", ...flags, main, ...serverArgs], notes };
}

/**
 * The facts for serving as `cli` says (demo or real, stdio or HTTP) on this
 * machine: every served cluster's (the simulator's output directory, this
 * machine's PBS commands, the local `ssh`).
 */
export async function gatherPermissionFacts(cli: CliOptions): Promise<GatheredFacts> {
  // The environment over the configuration file, as main.ts reads them.
  const serving = await resolveServing(cli);
  const several = serving.clusters.length > 1;
  const notes: string[] = [];
  const facts: PermissionFacts[] = [];
  for (const cluster of serving.clusters) {
    const gathered = await clusterFacts(cli, cluster, serving);
    facts.push(gathered.facts);
    notes.push(...gathered.notes.map((note) => several ? `${cluster.name}: ${note}` : note));
  }
  return { facts, notes };
}

async function clusterFacts(
  cli: CliOptions,
  cluster: ServedCluster,
  serving: Serving,
): Promise<{ facts: PermissionFacts; notes: string[] }> {
  const mode = cluster.mode;
  const env = cluster.env;
  const notes: string[] = [];
  const entry = mode === "demo" ? undefined : await ownPasswdEntry();
  // As main.ts resolves the home directory: $HOME, else (real mode) the passwd entry's.
  const home = env.HOME || entry?.home;
  const config = loadConfig(env, home);
  const profile = await activeProfile(
    config.profile,
    cluster.reach.kind === "simulator" ? cluster.reach.scenario : undefined,
  );
  const httpFiles = [
    env.PBS_MCP_HTTP_TOKENS_FILE,
    cli.http?.kind === "tcp" ? cli.http.cert : undefined,
    cli.http?.kind === "tcp" ? cli.http.key : undefined,
  ].filter((f): f is string => f !== undefined);
  // A site profile's file is read at start-up (built-in ones are compiled in).
  const profileFile = config.profile?.includes("/") ? [config.profile] : [];
  const base: PermissionFacts = {
    mode,
    http: cli.http,
    pbsPrograms: [],
    // An ssh cluster's allowed directories are on its login node, read through ssh.
    allowedDirs: await withResolved([
      ...(mode === "ssh" ? [] : config.allowedDirs),
      ...profileFile,
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
  const idProgram = entry ? undefined : findOnPath("id", lookup.path);
  if (idProgram) notes.push(`your uid has no ${PASSWD_FILE} entry: granting ${idProgram}`);
  if (mode === "ssh") {
    // SshRunner starts `ssh` by name: the one PATH finds.
    const ssh = findOnPath("ssh", lookup.path);
    notes.push(
      ssh
        ? `PBS commands run through ${ssh} on ${sshDestination(cluster)}`
        : "ssh was not found on PATH, so not granted: install the OpenSSH client",
    );
    return {
      facts: {
        ...base,
        idProgram,
        extraPrograms: ssh ? [ssh] : [],
        passwdFile: PASSWD_FILE,
      },
      notes,
    };
  }
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

function sshDestination(cluster: ServedCluster): string {
  const reach = cluster.reach;
  return reach.kind === "ssh" ? `${reach.user ? `${reach.user}@` : ""}${reach.host}` : "";
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
