/**
 * How each served cluster is reached, from the command line, the environment
 * and the configuration file (config_file.ts): a runner (the simulator, this
 * machine's PBS commands, or ssh to a login node), the caller PBS acts as
 * there, its settings and site profile. main.ts makes a PbsClient of each.
 */
import type { CliOptions } from "./cli_args.ts";
import { type ClusterReach, resolveServing, type ServedCluster } from "./config_file.ts";
import { demoOutputBase } from "./permissions.ts";
import { CHILD_ENV_NAMES, RealRunner } from "./pbs/real_runner.ts";
import type { Runner } from "./pbs/runner.ts";
import { SshRunner } from "./pbs/ssh_runner.ts";
import { type Config, loadConfig } from "./service/config.ts";
import { activeProfile, allocationPrograms, type SiteProfile } from "./service/profiles.ts";
import { demoUser, osUser } from "./service/os_user.ts";
import { createScenario, SimRunner } from "../sim/mod.ts";
import { RealtimeRunner } from "../sim/realtime.ts";
import { ensureState, homeIn, PersistedSimRunner } from "../sim/shims_state.ts";

/** One served cluster, wired. */
export interface Wiring {
  name: string;
  /** How it is reached, for people (list_clusters, the start-up banner). */
  reach: string;
  runner: Runner;
  config: Config;
  banner: string;
  /** Who PBS acts as. */
  user: string;
  /** Run when the server stops (demo mode's temporary output directory). */
  cleanup(): Promise<void>;
  /** The active site profile (PBS_MCP_PROFILE, or demo mode's scenario's own). */
  profile?: SiteProfile;
  /**
   * An ssh cluster's login node: who PBS acts as there and that user's home,
   * or why it did not say (the server starts all the same; doctor shows it).
   */
  login?: { user: string; home: string } | { error: unknown };
}

/** A cluster's wiring before it is named (main's name for it comes from the configuration). */
type Reached = Omit<Wiring, "name">;

/** Everything this process serves, the default cluster first. */
export interface Served {
  clusters: Wiring[];
  /** Settings given both in the environment and the configuration file. */
  warnings: string[];
  /** Runs every cluster's cleanup. */
  cleanup(): Promise<void>;
}

/** Loads the configuration and wires every cluster; throws on bad set-up. */
export async function wireClusters(cli: CliOptions): Promise<Served> {
  const serving = await resolveServing(cli);
  const simulated = serving.clusters.filter((c) => c.mode === "demo").length;
  // At once: a login node that does not answer delays the start by its ssh timeout only once.
  const settled = await Promise.allSettled(serving.clusters.map((cluster) =>
    // Several simulated clusters keep their states side by side under --state.
    wireCluster(
      cli,
      cluster,
      cli.state && simulated > 1 ? `${cli.state}/${cluster.name}` : cli.state,
    )
  ));
  const wired = settled.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
  const cleanup = async () => {
    for (const w of wired) await w.cleanup();
  };
  const failures = settled.flatMap((s, i) =>
    s.status === "rejected"
      ? [{ cluster: serving.clusters[i].name, message: messageOf(s.reason) }]
      : []
  );
  if (failures.length > 0) {
    // A configuration mistake stops the start, however many clusters it leaves working: each
    // failure is reported, naming its cluster when there are several.
    await cleanup();
    throw new Error(
      serving.clusters.length === 1
        ? failures[0].message
        : failures.map((f) => `cluster "${f.cluster}": ${f.message}`).join("\n"),
    );
  }
  return { clusters: wired, warnings: serving.warnings, cleanup };
}

async function wireCluster(
  cli: CliOptions,
  cluster: ServedCluster,
  state: string | undefined,
): Promise<Wiring> {
  const { env, reach } = cluster;
  const home = env.HOME || undefined;
  if (reach.kind === "ssh") return await sshWiring(cli, cluster);
  if (reach.kind === "simulator") {
    const user = demoUser(cli.user, env);
    const config = withPolicyFlags(loadConfig(env, home), cli);
    const profile = await activeProfile(config.profile, reach.scenario);
    const settings = { scenario: reach.scenario, seed: cli.seed, speed: cli.speed };
    const wiring = state
      ? persistedDemoWiring(config, user, settings, state)
      : await demoWiring(config, user, reach.scenario, cli.seed, cli.speed, env.HOME);
    return withProfile({ ...wiring, name: cluster.name }, profile);
  }
  // Real PBS acts as the OS user running this process, so that is asked (not `$USER`).
  const os = await osUser();
  const config = withPolicyFlags(loadConfig(env, home ?? os.home), cli);
  const profile = await activeProfile(config.profile, undefined);
  const wiring = await realWiring(config, os.name, env, profile);
  return withProfile({ ...wiring, name: cluster.name }, profile);
}

const messageOf = (error: unknown) => error instanceof Error ? error.message : String(error);

function withProfile(wiring: Wiring, profile: SiteProfile | undefined): Wiring {
  return profile
    ? { ...wiring, profile, banner: `${wiring.banner}; site profile "${profile.name}"` }
    : wiring;
}

/** How long start-up waits for a login node to say who the remote user is. */
const WHOAMI_TIMEOUT_MS = 20_000;

/**
 * A cluster behind a login node: PBS commands run there through ssh
 * (pbs/ssh_runner.ts). PBS acts as the remote login user, asked once at
 * start-up with `id -un`, whose remote home is the default of allowed_dirs
 * (job output is read there through the same connection) and where qsub
 * runs unless submit_dir says otherwise. When the login node does not answer
 * (down, or no MFA session open), the server still starts: the user is the
 * one ssh would log in as (`ssh -G`), and the banner says so; job output is
 * read from the remote home (`~`, resolved there) unless allowed_dirs says otherwise.
 */
export async function sshWiring(cli: CliOptions, cluster: ServedCluster): Promise<Wiring> {
  const reach = cluster.reach as Extract<ClusterReach, { kind: "ssh" }>;
  const env = cluster.env;
  const local = loadConfig(env, env.HOME || undefined);
  const profile = await activeProfile(local.profile, undefined);
  const runner = new SshRunner(
    {
      host: reach.host,
      user: reach.user,
      port: reach.port,
      options: reach.options,
      pbsExec: env.PBS_EXEC,
    },
    {
      defaultTimeoutMs: local.timeoutMs,
      defaultMaxOutputBytes: local.maxOutputBytes,
      // The site's allocation command (get_allocation) runs on the login node too.
      extraPrograms: allocationPrograms(profile),
    },
  );
  let remote: { user: string; home: string } | undefined;
  let unknown: unknown;
  try {
    remote = await runner.whoami(WHOAMI_TIMEOUT_MS);
  } catch (error) {
    unknown = error;
  }
  const user = remote?.user ?? reach.user ?? await runner.configuredUser() ??
    (await osUser()).name;
  const remoteHome = remote?.home || undefined;
  const config = withPolicyFlags({
    ...local,
    // Paths on the login node: the configured ones, else the remote home.
    // An empty value is unset, as loadConfig reads it (else the local home would be "allowed").
    // The remote home: as `id -un` found it, else `~`, resolved there on each read (so it holds
    // even when the login node did not answer at start-up).
    allowedDirs: env.PBS_MCP_ALLOWED_DIRS ? local.allowedDirs : [remoteHome ?? "~"],
    submitDir: env.PBS_MCP_SUBMIT_DIR,
  }, cli);
  const where = `${reach.user ? `${reach.user}@` : ""}${reach.host}`;
  return withProfile({
    name: cluster.name,
    reach: `ssh ${where}`,
    runner,
    user,
    config,
    banner: `cluster "${cluster.name}": PBS on ${where} through ssh as ${user}${
      remote ? "" : ` (not confirmed: ${unknown instanceof Error ? unknown.message : unknown})`
    }; qsub runs in ${config.submitDir ?? "the remote home"}`,
    cleanup: () => Promise.resolve(),
    login: remote ?? { error: unknown },
  }, profile);
}

/**
 * Simulated jobs write their output files here, so get_job_output works: a
 * fresh directory under demoOutputBase (the per-user state directory, which
 * the demo task may write; not the shared /tmp). Without a home or write
 * permission there, demo mode runs without output files rather than failing.
 */
async function demoOutputDir(home: string | undefined): Promise<string | undefined> {
  const base = demoOutputBase(home);
  if (!base) return undefined;
  try {
    await Deno.mkdir(base, { recursive: true, mode: 0o700 });
    return await Deno.makeTempDir({ dir: base, prefix: "run-" });
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      return undefined;
    }
    throw error;
  }
}

async function demoWiring(
  config: Config,
  user: string,
  scenario: string,
  seed: number,
  speed: number,
  home: string | undefined,
): Promise<Reached> {
  const outputDir = await demoOutputDir(home);
  const startTime = Math.floor(Date.now() / 1000);
  const complex = createScenario(scenario, { seed, outputDir, startTime });
  const runner = new RealtimeRunner(new SimRunner({ complex, user }), complex, speed);
  return {
    reach: `simulated "${scenario}" complex`,
    runner,
    user,
    config: {
      ...config,
      allowedDirs: outputDir ? [...config.allowedDirs, outputDir] : config.allowedDirs,
      // qsub "runs" in the simulated home, which lies inside outputDir.
      submitDir: complex.homeDir(user),
    },
    cleanup: async () => {
      if (outputDir) await Deno.remove(outputDir, { recursive: true }).catch(() => {});
    },
    banner: `demo mode: simulated "${scenario}" complex (seed ${seed}, ${speed}× time), ` +
      `caller "${user}", ${
        outputDir ? `job output under ${outputDir}` : "no job output files (no write permission)"
      }`,
  };
}

/**
 * `--demo --state DIR`: the complex lives in DIR (sim/shims_state.ts), so a
 * job submitted by one server process is known to the next, and to the shims
 * of `main.ts sim shims --state DIR`. An existing state keeps its scenario,
 * seed and speed.
 */
function persistedDemoWiring(
  config: Config,
  user: string,
  settings: { scenario: string; seed: number; speed: number },
  dir: string,
): Reached {
  let state;
  const home = homeIn(dir, user);
  try {
    state = ensureState(dir, settings);
    Deno.mkdirSync(home, { recursive: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new Error(
        `--state ${dir}: the server may not read and write there (${error.message}). Choose a ` +
          "directory under $HOME/.local/state/pbs-mcp (which `deno task demo` may write), or " +
          "grant --allow-read and --allow-write for it.",
      );
    }
    throw error;
  }
  return {
    reach: `simulated "${state.scenario}" complex in ${dir}`,
    runner: new PersistedSimRunner(dir, user),
    user,
    config: { ...config, allowedDirs: [...config.allowedDirs, `${dir}/files`], submitDir: home },
    cleanup: () => Promise.resolve(),
    banner: `demo mode: simulated "${state.scenario}" complex (seed ${state.seed}, ` +
      `${state.speed}× time) persisted in ${dir}, caller "${user}", job output under ${dir}/files`,
  };
}

async function realWiring(
  config: Config,
  user: string,
  env: Record<string, string>,
  profile: SiteProfile | undefined,
): Promise<Reached> {
  const submitDir = config.submitDir;
  if (!submitDir) {
    throw new Error("no directory to run qsub in: set HOME or PBS_MCP_SUBMIT_DIR");
  }
  const info = await Deno.stat(submitDir).catch(() => undefined);
  if (!info?.isDirectory) {
    throw new Error(
      `PBS_MCP_SUBMIT_DIR (or HOME; submit_dir in a configuration file) is not a directory: ${submitDir}`,
    );
  }
  const runner = new RealRunner({
    // What PBS commands inherit, PBS_EXEC from a configuration file included.
    baseEnv: Object.fromEntries(CHILD_ENV_NAMES.flatMap((n) => n in env ? [[n, env[n]]] : [])),
    defaultTimeoutMs: config.timeoutMs,
    defaultMaxOutputBytes: config.maxOutputBytes,
    extraPrograms: allocationPrograms(profile),
  });
  const readable = config.allowedDirs.some((d) => isWithin(submitDir, d));
  return {
    reach: runner.describeInstallation().description,
    runner,
    user,
    config,
    banner: `serving real PBS as ${user}: ${runner.describeInstallation().description}; ` +
      `qsub runs in ${submitDir}${
        readable
          ? ""
          : " (outside PBS_MCP_ALLOWED_DIRS: get_job_output cannot read job output there)"
      }`,
    cleanup: () => Promise.resolve(),
  };
}

function isWithin(path: string, dir: string): boolean {
  const base = dir.replace(/\/+$/, "");
  return path === base || path.startsWith(`${base}/`);
}

/** Command-line policy flags win over their environment variables. */
function withPolicyFlags(config: Config, cli: CliOptions): Config {
  return {
    ...config,
    readOnly: cli.readOnly ?? config.readOnly,
    toolsets: cli.toolsets ?? config.toolsets,
    excludeTools: cli.excludeTools ?? config.excludeTools,
    confirm: cli.confirm ?? config.confirm,
  };
}
