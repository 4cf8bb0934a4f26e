/**
 * pbs-mcp entry point: an MCP server for PBS on stdio.
 *
 *   deno task start   real PBS, found through PBS_EXEC, /etc/pbs.conf or PATH
 *   deno task demo    the in-process simulator (no cluster needed)
 */
import { parseCli, USAGE } from "./src/cli_args.ts";
import { createLogger, type Logger } from "./src/mcp/logger.ts";
import { createMcpServer, SERVER_NAME, SERVER_VERSION } from "./src/mcp/server.ts";
import { RealRunner } from "./src/pbs/real_runner.ts";
import type { Runner } from "./src/pbs/runner.ts";
import { type Config, loadConfig } from "./src/service/config.ts";
import { PbsClient } from "./src/service/pbs_client.ts";
import { runHttp } from "./src/transports/http_start.ts";
import { serveStdio } from "./src/transports/stdio.ts";
import { createScenario, SimRunner } from "./sim/mod.ts";
import { RealtimeRunner } from "./sim/realtime.ts";

function callerName(): string {
  return Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? "demo";
}

interface Wiring {
  runner: Runner;
  config: Config;
  banner: string;
}

/**
 * Simulated jobs write their output files here, so get_job_output works. The
 * compiled binary has no write permission (real PBS needs none): demo mode
 * then runs without output files rather than failing.
 */
async function demoOutputDir(): Promise<string | undefined> {
  try {
    return await Deno.makeTempDir({ prefix: "pbs-mcp-demo-" });
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
): Promise<Wiring> {
  const outputDir = await demoOutputDir();
  const startTime = Math.floor(Date.now() / 1000);
  const complex = createScenario(scenario, { seed, outputDir, startTime });
  const runner = new RealtimeRunner(new SimRunner({ complex, user }), complex, speed);
  return {
    runner,
    config: {
      ...config,
      allowedDirs: outputDir ? [...config.allowedDirs, outputDir] : config.allowedDirs,
    },
    banner: `demo mode: simulated "${scenario}" complex (seed ${seed}, ${speed}× time), ` +
      `caller "${user}", ${
        outputDir ? `job output under ${outputDir}` : "no job output files (no write permission)"
      }`,
  };
}

function realWiring(config: Config): Wiring {
  return {
    runner: new RealRunner({
      defaultTimeoutMs: config.timeoutMs,
      defaultMaxOutputBytes: config.maxOutputBytes,
    }),
    config,
    banner: "serving real PBS",
  };
}

function printConnectHelp(logger: Logger): void {
  // Only when a person started us in a terminal: a client never sees this.
  const self = new URL(import.meta.url).pathname;
  console.error(
    [
      `${SERVER_NAME} ${SERVER_VERSION} is waiting for an MCP client on stdin/stdout.`,
      "Connect a client instead of typing here, e.g. in Claude Code:",
      `  claude mcp add pbs -- deno run -A ${self} --demo`,
      "or see examples/ for Claude Desktop and VS Code configurations. Ctrl-C to quit.",
    ].join("\n"),
  );
  logger.debug("printed connection help");
}

async function main(): Promise<number> {
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
  let config: Config;
  try {
    const home = Deno.env.get("HOME");
    config = loadConfig(Deno.env.toObject(), home ? [home] : []);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const logger = createLogger(config.logLevel);
  const user = callerName();
  const wiring = cli.demo
    ? await demoWiring(config, user, cli.scenario, cli.seed, cli.speed)
    : realWiring(config);
  logger.info(wiring.banner, { readOnly: wiring.config.readOnly });
  const client = new PbsClient({ runner: wiring.runner, user, config: wiring.config });
  if (cli.http) return await runHttp(cli.http, () => createMcpServer(client, logger), logger);
  const server = createMcpServer(client, logger);
  if (Deno.stdin.isTerminal()) printConnectHelp(logger);
  await serveStdio(server, logger);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main());
}
