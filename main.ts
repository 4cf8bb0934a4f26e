/**
 * pbs-mcp entry point: an MCP server for PBS on stdio.
 *
 *   deno task start   real PBS as the OS user, found through PBS_EXEC, PATH or pbs.conf
 *   deno task demo    the in-process simulator (no cluster needed)
 *   --config FILE     the clusters of a configuration file (src/config_file.ts, src/wiring.ts)
 *   main.ts permissions [server flags]
 *                     prints the `deno run` line with the exact permissions for this machine
 */
import { parseCli, parseSimCli, SIM_USAGE, USAGE } from "./src/cli_args.ts";
import { readEnv } from "./src/env.ts";
import { createLogger, type Logger } from "./src/mcp/logger.ts";
import { SERVER_NAME, SERVER_VERSION, serverFactory } from "./src/mcp/server.ts";
import { doctorMain } from "./src/doctor.ts";
import { clientConfigMain } from "./src/client_config.ts";
import { serverCommand } from "./src/permission_facts.ts";
import { shellCommand } from "./src/service/shell_quote.ts";
import { ClusterSet } from "./src/service/cluster_set.ts";
import { demoUser } from "./src/service/os_user.ts";
import { PbsClient } from "./src/service/pbs_client.ts";
import { runHttp } from "./src/transports/http_start.ts";
import { serveStdio } from "./src/transports/stdio.ts";
import { type Served, wireClusters } from "./src/wiring.ts";
import { shimsSummary, writeShims } from "./sim/shims.ts";
import { homeIn } from "./sim/shims_state.ts";

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
  let served: Served;
  try {
    served = await wireClusters(cli);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const { config } = served.clusters[0];
  const logger = createLogger(config.logLevel);
  for (const wiring of served.clusters) logger.info(wiring.banner, { readOnly: config.readOnly });
  for (const warning of served.warnings) logger.warn(warning);
  const clusters = new ClusterSet(served.clusters.map((wiring) => ({
    name: wiring.name,
    reach: wiring.reach,
    client: new PbsClient({
      runner: wiring.runner,
      user: wiring.user,
      config: wiring.config,
      profile: wiring.profile,
    }),
  })));
  const serverFor = serverFactory(clusters, logger);
  try {
    serverFor(); // a bad --toolsets/--exclude-tools name fails here, before serving
  } catch (error) {
    // A bad --toolsets/--exclude-tools name: say which names exist.
    console.error(error instanceof Error ? error.message : String(error));
    await served.cleanup();
    return 2;
  }
  if (cli.http) {
    try {
      return await runHttp(cli.http, serverFor, logger);
    } finally {
      await served.cleanup();
    }
  }
  if (Deno.stdin.isTerminal()) printConnectHelp(logger);
  try {
    await serveStdio(serverFor, logger);
  } finally {
    await served.cleanup();
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main());
}
