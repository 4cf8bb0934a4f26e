/**
 * Replays a script of PBS commands against a simulated complex:
 *
 *   deno run -A sim/cli.ts --scenario golden [--seed N] [--json] FILE
 *
 * FILE `-` reads stdin. See sim/replay.ts for the line syntax. Without
 * --json each command prints `$ @USER COMMAND...`, its stdout and stderr, and
 * `[exit N]`; with --json one object per line
 * `{"line","user","argv","stdout","stderr","exit"}`.
 */

import { createScenario } from "./scenarios.ts";
import { SimRunner } from "./runner.ts";
import { applyControl, expandVariables, parseLine, ReplaySyntaxError } from "./replay.ts";

interface CliOptions {
  scenario: string;
  seed: number;
  json: boolean;
  file: string;
}

const USAGE = "usage: deno run -A sim/cli.ts --scenario NAME [--seed N] [--json] FILE|-";

function parseArgs(args: string[]): CliOptions | string {
  const options: Partial<CliOptions> = { seed: 1, json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--scenario") options.scenario = args[++i];
    else if (arg === "--seed") options.seed = Number(args[++i]);
    else if (arg === "--json") options.json = true;
    else if (arg.startsWith("--")) return `unknown option ${arg}`;
    else if (options.file === undefined) options.file = arg;
    else return `unexpected argument ${arg}`;
  }
  if (!options.scenario || options.file === undefined) return USAGE;
  if (!Number.isInteger(options.seed)) return "--seed needs an integer";
  return options as CliOptions;
}

async function readInput(file: string): Promise<string> {
  if (file !== "-") return await Deno.readTextFile(file);
  return await new Response(Deno.stdin.readable).text();
}

/** Runs the script; returns the text to print. Exported for tests. */
export async function replay(script: string, options: Omit<CliOptions, "file">): Promise<string> {
  const complex = createScenario(options.scenario, { seed: options.seed });
  const runner = new SimRunner({ complex, user: "root" });
  const variables = new Map<string, string>();
  let out = "";
  const lines = script.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const parsed = parseLine(expandVariables(lines[index], variables), index + 1);
    if (!parsed) continue;
    const statement = applyControl(parsed, complex);
    if (!statement) continue;
    runner.setUser(statement.user);
    const result = await runner.run(statement.argv, { stdin: statement.stdin });
    if (statement.assign) {
      variables.set(statement.assign, result.stdout.trim().split(/\s+/)[0] ?? "");
    }
    out += options.json
      ? `${
        JSON.stringify({
          line: statement.line,
          user: statement.user,
          argv: statement.argv,
          stdout: result.stdout,
          stderr: result.stderr,
          exit: result.code,
        })
      }\n`
      : `$ @${statement.user} ${
        statement.argv.join(" ")
      }\n${result.stdout}${result.stderr}[exit ${result.code}]\n`;
  }
  return out;
}

if (import.meta.main) {
  const options = parseArgs(Deno.args);
  if (typeof options === "string") {
    console.error(options);
    Deno.exit(2);
  }
  try {
    const text = await replay(await readInput(options.file), options);
    await Deno.stdout.write(new TextEncoder().encode(text));
  } catch (error) {
    if (error instanceof ReplaySyntaxError) {
      console.error(`sim/cli.ts: ${error.message}`);
      Deno.exit(2);
    }
    throw error;
  }
}
