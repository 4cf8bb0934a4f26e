/**
 * Command-line flags of main.ts.
 */
import { parseArgs } from "node:util";
import { SCENARIO_NAMES } from "../sim/mod.ts";
import { CONFIG_VARIABLES } from "./service/config.ts";
import { DEMO_DEFAULT_USER, USER_NAME } from "./service/os_user.ts";
import { CONFIRM_MODES, type ConfirmMode } from "./service/confirm.ts";

export interface CliOptions {
  demo: boolean;
  /** The first of `scenarios`. */
  scenario: string;
  /** `--demo` serves one simulated cluster per name (`--scenario polaris,aurora`). */
  scenarios: string[];
  /** Simulated seconds per real second in demo mode. */
  speed: number;
  seed: number;
  /** Demo mode's simulated caller (`--user`); undefined: from the environment. */
  user?: string;
  /** Demo mode keeps its complex in this directory across server processes (`--state`). */
  state?: string;
  help: boolean;
  version: boolean;
  /** Serve MCP over HTTP instead of stdio (see src/transports/http.ts). */
  http?: HttpListenOptions;
  /** Policy flags; each overrides its PBS_MCP_* variable when given. */
  readOnly?: boolean;
  toolsets?: string[];
  excludeTools?: string[];
  confirm?: ConfirmMode;
  /** `--config FILE`: the YAML configuration (src/config_file.ts). */
  config?: string;
}

export type HttpListenOptions =
  | { kind: "tcp"; hostname: string; port: number; cert?: string; key?: string }
  | { kind: "unix"; path: string };

export const USAGE =
  `pbs-mcp: an MCP server for the PBS batch scheduler (stdio, or HTTP with --http).

Usage:
  main.ts                 serve real PBS as the OS user running it (commands found through
                          PBS_EXEC, then PATH, then the PBS_EXEC line of pbs.conf)
  main.ts --demo          serve an in-process simulated PBS complex (no cluster needed)
  main.ts sim shims DIR   write simulated PBS commands (qsub, qstat, ...) to DIR/bin
                          [--scenario NAME] [--state STATE_DIR] [--user NAME] [--speed N] [--seed N]

Options:
  --demo                  use the simulator instead of real PBS
  --scenario NAME[,NAME]  simulated complex: polaris (default), aurora, golden, tiny; several
                          names serve several clusters at once (tools take \`cluster\`)
  --speed N               simulated seconds per real second in demo mode (default 60)
  --seed N                seed of the simulated workload (default 1)
  --user NAME             simulated clusters' user (default $USER; root or unset: ${DEMO_DEFAULT_USER})
  --state DIR             demo mode keeps its complex in DIR across server processes (shared with
                          the shims of \`main.ts sim shims --state DIR\`)
  --http                  serve MCP Streamable HTTP at /mcp instead of stdio (needs a token:
                          PBS_MCP_HTTP_TOKENS_FILE or PBS_MCP_HTTP_TOKEN)
  --host ADDR             HTTP listen address (default 127.0.0.1)
  --port N                HTTP port (default 8765; 0 picks a free one)
  --cert FILE, --key FILE serve HTTPS with this PEM certificate and key
  --socket PATH           serve HTTP on a Unix socket (mode 0600) instead of a TCP port
  --read-only             offer only query tools, resources and prompts (PBS_MCP_READ_ONLY)
  --toolsets A,B          offer only these toolsets: jobs, cluster, reservations, scripts
  --exclude-tools A,B     never offer these tools
  --confirm MODE          never | elicit (default) | require: ask the user before
                          destructive actions (PBS_MCP_CONFIRM)
  --config FILE           YAML configuration (default ~/.config/pbs-mcp/config.yaml when it
                          exists); the environment wins where both set something
  --help, --version

Other commands:
  main.ts doctor [--demo] [--config FILE]   check the set-up, one line per check with a fix
  main.ts config CLIENT [--demo] [--http URL] [--config FILE]
                          print a configuration for claude-desktop, claude-code, vscode or cursor
  main.ts permissions [--json] [server flags]   the deno run line with this machine's permissions

Configuration comes from the environment (see README):
${CONFIG_VARIABLES.map(([name, meaning]) => `  ${name.padEnd(25)} ${meaning}`).join("\n")}

Logs go to stderr as JSON lines; stdout carries only the protocol.`;

export function parseCli(args: string[]): CliOptions {
  const { values } = parseArgs({
    args,
    options: {
      demo: { type: "boolean", default: false },
      scenario: { type: "string", default: "polaris" },
      speed: { type: "string", default: "60" },
      seed: { type: "string", default: "1" },
      user: { type: "string" },
      state: { type: "string" },
      http: { type: "boolean", default: false },
      host: { type: "string" },
      port: { type: "string" },
      cert: { type: "string" },
      key: { type: "string" },
      socket: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", default: false },
      "read-only": { type: "boolean" },
      toolsets: { type: "string" },
      "exclude-tools": { type: "string" },
      confirm: { type: "string" },
      config: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  // --user and --state need a simulated cluster: --demo or one in the configuration file
  // (checked by config_file.ts's resolveServing, which reads the file).
  const scenarios = [...new Set(values.scenario!.split(",").map((s) => s.trim()))];
  const flags = scenarios.map((scenario) => simulationFlags({ ...values, scenario }));
  const { speed, seed, user } = flags[0];
  const confirm = values.confirm;
  if (confirm !== undefined && !(CONFIRM_MODES as readonly string[]).includes(confirm)) {
    throw new Error(`--confirm must be one of ${CONFIRM_MODES.join(", ")}`);
  }
  const names = (text: string | undefined) =>
    text?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return {
    demo: values.demo!,
    scenario: scenarios[0],
    scenarios,
    speed,
    seed,
    user,
    state: values.state,
    help: values.help!,
    version: values.version!,
    http: httpListen(values),
    readOnly: values["read-only"],
    toolsets: names(values.toolsets),
    excludeTools: names(values["exclude-tools"]),
    confirm: confirm as ConfirmMode | undefined,
    config: values.config,
  };
}

function httpListen(values: {
  http?: boolean;
  host?: string;
  port?: string;
  cert?: string;
  key?: string;
  socket?: string;
}): HttpListenOptions | undefined {
  const tcpFlags = ["host", "port", "cert", "key"] as const;
  if (!values.http) {
    const stray = [...tcpFlags, "socket" as const].filter((f) => values[f] !== undefined);
    if (stray.length > 0) throw new Error(`--${stray[0]} needs --http`);
    return undefined;
  }
  if (values.socket !== undefined) {
    const stray = tcpFlags.filter((f) => values[f] !== undefined);
    if (stray.length > 0) throw new Error(`--socket cannot be combined with --${stray[0]}`);
    return { kind: "unix", path: values.socket };
  }
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new Error("--cert and --key go together");
  }
  const port = Number(values.port ?? "8765");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error("--port must be an integer from 0 to 65535");
  }
  return {
    kind: "tcp",
    hostname: values.host ?? "127.0.0.1",
    port,
    cert: values.cert,
    key: values.key,
  };
}

/** `main.ts sim shims DIR [...]`: where and what to simulate. */
export interface SimShimsOptions {
  dir: string;
  scenario: string;
  speed: number;
  seed: number;
  /** The shims' simulated user; undefined: the OS login name, mapped as demo mode does. */
  user?: string;
  /** Where the complex persists; undefined: DIR/state. */
  state?: string;
}

export const SIM_USAGE = `Usage:
  main.ts sim shims DIR [--scenario NAME] [--state STATE_DIR] [--user NAME] [--speed N] [--seed N]

Writes qsub, qstat, qdel, qhold, qrls, qalter, qmove, qselect, pbsnodes, qmgr, pbs_rsub,
pbs_rstat, pbs_rdel and tracejob to DIR/bin. They answer as the simulator does, from a complex
kept in STATE_DIR (default DIR/state; an existing state keeps its scenario, seed and speed).
  --scenario NAME   polaris (default), aurora, golden, tiny
  --speed N         simulated seconds per real second (default 60)
  --seed N          seed of the simulated workload (default 1)
  --user NAME       act as this simulated user (default: the login name; root or unset: ${DEMO_DEFAULT_USER})`;

/** Parses the arguments after `sim`; throws an Error whose message says what is wrong. */
export function parseSimCli(args: string[]): SimShimsOptions {
  const { values, positionals } = parseArgs({
    args,
    options: {
      scenario: { type: "string", default: "polaris" },
      speed: { type: "string", default: "60" },
      seed: { type: "string", default: "1" },
      user: { type: "string" },
      state: { type: "string" },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals[0] !== "shims" || positionals.length !== 2) {
    throw new Error("expected `sim shims DIR`");
  }
  const { scenario, speed, seed, user } = simulationFlags(values);
  return { dir: positionals[1], scenario, speed, seed, user, state: values.state };
}

/** The simulated complex's flags, shared by the demo and `sim shims`, checked. */
function simulationFlags(values: {
  scenario?: string;
  speed?: string;
  seed?: string;
  user?: string;
}): { scenario: string; speed: number; seed: number; user?: string } {
  const speed = Number(values.speed);
  const seed = Number(values.seed);
  if (!Number.isFinite(speed) || speed <= 0) throw new Error(`--speed must be a positive number`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer`);
  const scenario = values.scenario!;
  if (!(SCENARIO_NAMES as readonly string[]).includes(scenario)) {
    throw new Error(`unknown scenario '${scenario}': choose one of ${SCENARIO_NAMES.join(", ")}`);
  }
  const user = values.user;
  if (user !== undefined && !USER_NAME.test(user)) {
    throw new Error(`--user must be a user name such as alice (letters, digits, '.', '_', '-')`);
  }
  return { scenario, speed, seed, user };
}
