/**
 * Command-line flags of main.ts.
 */
import { parseArgs } from "node:util";

export interface CliOptions {
  demo: boolean;
  scenario: string;
  /** Simulated seconds per real second in demo mode. */
  speed: number;
  seed: number;
  help: boolean;
  version: boolean;
}

export const USAGE = `pbs-mcp: an MCP server for the PBS batch scheduler (stdio transport).

Usage:
  main.ts                 serve real PBS (commands found through PBS_EXEC, /etc/pbs.conf or PATH)
  main.ts --demo          serve an in-process simulated PBS complex (no cluster needed)

Options:
  --demo                  use the simulator instead of real PBS
  --scenario NAME         simulated complex: polaris (default), aurora, golden, tiny
  --speed N               simulated seconds per real second in demo mode (default 60)
  --seed N                seed of the simulated workload (default 1)
  --help, --version

Configuration comes from the environment (PBS_SERVER, PBS_ACCOUNT, PBS_MCP_*; see README).
Logs go to stderr as JSON lines; stdout carries only the protocol.`;

export function parseCli(args: string[]): CliOptions {
  const { values } = parseArgs({
    args,
    options: {
      demo: { type: "boolean", default: false },
      scenario: { type: "string", default: "polaris" },
      speed: { type: "string", default: "60" },
      seed: { type: "string", default: "1" },
      help: { type: "boolean", short: "h", default: false },
      version: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const speed = Number(values.speed);
  const seed = Number(values.seed);
  if (!Number.isFinite(speed) || speed <= 0) throw new Error(`--speed must be a positive number`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer`);
  return {
    demo: values.demo!,
    scenario: values.scenario!,
    speed,
    seed,
    help: values.help!,
    version: values.version!,
  };
}
