/**
 * pbs-mcp entry point: an MCP server for PBS on stdio.
 *
 *   deno task start   real PBS as the OS user, found through PBS_EXEC, PATH or pbs.conf
 *   deno task demo    the in-process simulator (no cluster needed)
 *   main.ts permissions [server flags]
 *                     prints the `deno run` line with the exact permissions for this machine
 */
import { type CliOptions, parseCli, parseSimCli, SIM_USAGE, USAGE } from "./src/cli_args.ts";
import { readEnv } from "./src/env.ts";
import { createLogger, type Logger } from "./src/mcp/logger.ts";
import { SERVER_NAME, SERVER_VERSION, serverFactory } from "./src/mcp/server.ts";
import { CHILD_ENV_NAMES, RealRunner } from "./src/pbs/real_runner.ts";
import { resolveServing } from "./src/config_file.ts";
import { doctorMain } from "./src/doctor.ts";
import { clientConfigMain } from "./src/client_config.ts";
import { serverCommand } from "./src/permission_facts.ts";
import { demoOutputBase } from "./src/permissions.ts";
import { shellCommand } from "./src/service/shell_quote.ts";
import type { Runner } from "./src/pbs/runner.ts";
import { type Config, loadConfig } from "./src/service/config.ts";
import { activeProfile, allocationPrograms, type SiteProfile } from "./src/service/profiles.ts";
import { demoUser, osUser } from "./src/service/os_user.ts";
import { PbsClient } from "./src/service/pbs_client.ts";
import { runHttp } from "./src/transports/http_start.ts";
import { serveStdio } from "./src/transports/stdio.ts";
import { createScenario, SimRunner } from "./sim/mod.ts";
import { RealtimeRunner } from "./sim/realtime.ts";
import { shimsSummary, writeShims } from "./sim/shims.ts";
import { ensureState, homeIn, PersistedSimRunner } from "./sim/shims_state.ts";

interface Wiring {
  runner: Runner;
  config: Config;
  banner: string;
  /** Who PBS acts as. */
  user: string;
  /** Run when the server stops (demo mode's temporary output directory). */
  cleanup(): Promise<void>;
  /** Settings given both in the environment and the configuration file. */
  warnings?: string[];
  /** The active site profile (PBS_MCP_PROFILE, or demo mode's scenario's own). */
  profile?: SiteProfile;
}

/**
 * The caller and the home directory the configuration defaults to. Real PBS
 * acts as the OS user running this process, so that is asked (not `$USER`);
 * demo mode simulates a user (see demoUser).
 */
async function resolveCaller(
  cli: CliOptions,
  env: Record<string, string>,
): Promise<{ user: string; home?: string }> {
  const home = env.HOME || undefined;
  if (cli.demo) return { user: demoUser(cli.user, env), home };
  const os = await osUser();
  return { user: os.name, home: home ?? os.home };
}

/** Loads the configuration and builds the real or simulated runner; throws on bad set-up. */
async function wire(cli: CliOptions): Promise<Wiring> {
  // The environment (only the variables this mode reads, by name: --allow-env
  // grants exactly these) over the configuration file's settings.
  const serving = await resolveServing(cli);
  const env = serving.env;
  const demo = serving.mode === "demo";
  const { user, home } = await resolveCaller({ ...cli, demo }, env);
  const config = withPolicyFlags(loadConfig(env, home), cli);
  const profile = await activeProfile(config.profile, demo ? serving.scenario : undefined);
  const settings = { scenario: serving.scenario, seed: cli.seed, speed: cli.speed };
  const wiring = demo && cli.state
    ? persistedDemoWiring(config, user, settings, cli.state)
    : demo
    ? await demoWiring(config, user, serving.scenario, cli.seed, cli.speed, env.HOME)
    : await realWiring(config, user, env, profile);
  const banner = profile ? `${wiring.banner}; site profile "${profile.name}"` : wiring.banner;
  return { ...wiring, banner, warnings: serving.warnings, profile };
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
): Promise<Wiring> {
  const outputDir = await demoOutputDir(home);
  const startTime = Math.floor(Date.now() / 1000);
  const complex = createScenario(scenario, { seed, outputDir, startTime });
  const runner = new RealtimeRunner(new SimRunner({ complex, user }), complex, speed);
  return {
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
): Wiring {
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
    runner: new PersistedSimRunner(dir, user),
    user,
    config: { ...config, allowedDirs: [...config.allowedDirs, `${dir}/files`], submitDir: home },
    cleanup: () => Promise.resolve(),
    banner: `demo mode: simulated "${state.scenario}" complex (seed ${state.seed}, ` +
      `${state.speed}× time) persisted in ${dir}, caller "${user}", job output under ${dir}/files`,
  };
}

/** `main.ts sim shims DIR ...`: writes the simulator's PBS commands; returns the exit code. */
function simMain(args: string[]): number {
  let options;
  try {
    options = parseSimCli(args);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n\n${SIM_USAGE}`);
    return 2;
  }
  try {
    const written = writeShims(options.dir, { ...options, stateDir: options.state });
    const user = demoUser(options.user, readEnv(["USER", "LOGNAME"]));
    Deno.mkdirSync(homeIn(written.stateDir, user), { recursive: true });
    console.log(shimsSummary(written, user));
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

async function realWiring(
  config: Config,
  user: string,
  env: Record<string, string>,
  profile: SiteProfile | undefined,
): Promise<Wiring> {
  const submitDir = config.submitDir;
  if (!submitDir) {
    throw new Error("no directory to run qsub in: set HOME or PBS_MCP_SUBMIT_DIR");
  }
  const info = await Deno.stat(submitDir).catch(() => undefined);
  if (!info?.isDirectory) {
    throw new Error(`PBS_MCP_SUBMIT_DIR (or HOME) is not a directory: ${submitDir}`);
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

function printConnectHelp(logger: Logger): void {
  // Only when a person started us in a terminal: a client never sees this.
  const self = new URL(import.meta.url).pathname;
  console.error(
    [
      `${SERVER_NAME} ${SERVER_VERSION} is waiting for an MCP client on stdin/stdout.`,
      "Connect a client instead of typing here. This prints the command a client should run,",
      "with the exact Deno permissions for this machine (add --demo for the simulator):",
      `  deno run --allow-env --allow-read --allow-sys=uid ${self} permissions`,
      "then e.g. in Claude Code: claude mcp add pbs -- <that command>",
      "or see examples/ for Claude Desktop and VS Code configurations. Ctrl-C to quit.",
    ].join("\n"),
  );
  logger.debug("printed connection help");
}

/**
 * `main.ts permissions [--json] [server flags]`: the `deno run` line that
 * serves as the server flags say, with exactly the permissions this machine's
 * configuration and PBS installation need (src/permissions.ts). Notes go to
 * stderr; `--json` prints `{ "command", "args" }` for configuration files.
 */
async function printPermissions(args: string[]): Promise<number> {
  const json = args.includes("--json");
  const serverArgs = args.filter((a) => a !== "--json");
  try {
    const { command, args: denoArgs, notes } = await serverCommand(
      serverArgs,
      new URL(import.meta.url).pathname,
    );
    for (const note of notes) console.error(`note: ${note}`);
    console.log(
      json
        ? JSON.stringify({ command, args: denoArgs }, null, 2)
        : shellCommand([command, ...denoArgs]),
    );
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
}

/** `main.ts doctor [server flags]`: checks the set-up (src/doctor.ts); 0 when all pass. */
async function runDoctorCommand(args: string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(args);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return 2;
  }
  return await doctorMain(cli);
}

async function main(): Promise<number> {
  if (Deno.args[0] === "permissions") return await printPermissions(Deno.args.slice(1));
  if (Deno.args[0] === "sim") return simMain(Deno.args.slice(1));
  if (Deno.args[0] === "doctor") return await runDoctorCommand(Deno.args.slice(1));
  if (Deno.args[0] === "config") {
    return await clientConfigMain(Deno.args.slice(1), new URL(import.meta.url).pathname);
  }
  let cli;
  try {
    cli = parseCli(Deno.args);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    return 2;
  }
  if (cli.help) {
    console.error(USAGE);
    return 0;
  }
  if (cli.version) {
    console.error(`${SERVER_NAME} ${SERVER_VERSION}`);
    return 0;
  }
  let wiring: Wiring;
  try {
    wiring = await wire(cli);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const logger = createLogger(wiring.config.logLevel);
  logger.info(wiring.banner, { readOnly: wiring.config.readOnly });
  for (const warning of wiring.warnings ?? []) logger.warn(warning);
  const client = new PbsClient({
    runner: wiring.runner,
    user: wiring.user,
    config: wiring.config,
    profile: wiring.profile,
  });
  const serverFor = serverFactory(client, logger);
  try {
    serverFor(); // a bad --toolsets/--exclude-tools name fails here, before serving
  } catch (error) {
    // A bad --toolsets/--exclude-tools name: say which names exist.
    console.error(error instanceof Error ? error.message : String(error));
    await wiring.cleanup();
    return 2;
  }
  if (cli.http) {
    try {
      return await runHttp(cli.http, serverFor, logger);
    } finally {
      await wiring.cleanup();
    }
  }
  if (Deno.stdin.isTerminal()) printConnectHelp(logger);
  try {
    await serveStdio(serverFor, logger);
  } finally {
    await wiring.cleanup();
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main());
}
