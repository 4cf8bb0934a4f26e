/**
 * The replay language of `sim/cli.ts`, one statement per line:
 *
 *   @USER COMMAND ARGS...            run COMMAND as USER (POSIX-shell quoting)
 *   ... <<< 'TEXT'                   TEXT on stdin (`\n` inside means newline)
 *   NAME=@USER COMMAND ...           also store stdout's first word in NAME
 *   advance SECONDS                  move the virtual clock
 *   sched_config strict_ordering=BOOL [backfill_depth=N]
 *                                    edit sched_config and HUP the scheduler (one cycle)
 *   mom NODE down|up                 stop or restart the pbs_mom of NODE
 *   # comment / blank line           ignored
 *
 * `$NAME` and `${NAME}` expand (outside single quotes) in later lines.
 */

import { ShellSyntaxError, splitWords } from "./shellwords.ts";

export type Statement =
  | { kind: "run"; line: number; user: string; argv: string[]; stdin?: string; assign?: string }
  | { kind: "advance"; line: number; seconds: number }
  | { kind: "sched_config"; line: number; settings: SchedulerSettings }
  | { kind: "mom"; line: number; node: string; up: boolean };

/** What `sched_config` lines may change (the real captures edited the file and sent SIGHUP). */
export interface SchedulerSettings {
  strictOrdering?: boolean;
  backfillDepth?: number;
}

/** What a control statement needs of the complex (sim/complex.ts implements it). */
export interface ReplayTarget {
  advance(seconds: number): void;
  configureScheduler(settings: SchedulerSettings): void;
  setNodeDown(node: string, down: boolean): void;
}

/**
 * Carries out a statement that is not a command line (advance, sched_config,
 * mom); returns the command statement for the caller to run, or undefined.
 */
export function applyControl(
  statement: Statement,
  complex: ReplayTarget,
): Extract<Statement, { kind: "run" }> | undefined {
  switch (statement.kind) {
    case "advance":
      complex.advance(statement.seconds);
      return undefined;
    case "sched_config":
      complex.configureScheduler(statement.settings);
      return undefined;
    case "mom":
      complex.setNodeDown(statement.node, !statement.up);
      return undefined;
    case "run":
      return statement;
  }
}

export class ReplaySyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = "ReplaySyntaxError";
  }
}

const RUN_RE = /^(?:([A-Za-z_]\w*)=)?@([\w.-]+)\s+(.+)$/;
const ADVANCE_RE = /^advance\s+(\d+(?:\.\d+)?)$/;
const SCHED_RE = /^sched_config((?:\s+\w+=\S+)+)$/;
const MOM_RE = /^mom\s+(\S+)\s+(down|up)$/;

/** Parses one line (variables already expanded); undefined for blanks and comments. */
export function parseLine(text: string, line: number): Statement | undefined {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return undefined;
  const advance = ADVANCE_RE.exec(trimmed);
  if (advance) return { kind: "advance", line, seconds: Number(advance[1]) };
  const mom = MOM_RE.exec(trimmed);
  if (mom) return { kind: "mom", line, node: mom[1], up: mom[2] === "up" };
  const sched = SCHED_RE.exec(trimmed);
  if (sched) return { kind: "sched_config", line, settings: schedulerSettings(sched[1], line) };
  const run = RUN_RE.exec(trimmed);
  if (!run) {
    throw new ReplaySyntaxError(
      line,
      `expected '@USER COMMAND ...' or 'advance SECONDS': ${trimmed}`,
    );
  }
  const [, assign, user, rest] = run;
  const { command, stdin } = splitHereString(rest, line);
  let argv: string[];
  try {
    argv = splitWords(command);
  } catch (error) {
    if (error instanceof ShellSyntaxError) throw new ReplaySyntaxError(line, error.message);
    throw error;
  }
  if (argv.length === 0) throw new ReplaySyntaxError(line, "missing command");
  return { kind: "run", line, user, argv, stdin, assign };
}

function schedulerSettings(text: string, line: number): SchedulerSettings {
  const settings: SchedulerSettings = {};
  for (const pair of text.trim().split(/\s+/)) {
    const [key, value] = pair.split("=", 2);
    if (key === "strict_ordering" && /^(true|false)$/i.test(value)) {
      settings.strictOrdering = value.toLowerCase() === "true";
    } else if (key === "backfill_depth" && /^\d+$/.test(value)) {
      settings.backfillDepth = Number(value);
    } else {
      throw new ReplaySyntaxError(line, `unknown sched_config setting: ${pair}`);
    }
  }
  return settings;
}

/** Splits off a trailing `<<< TEXT` (quoted like an argument) outside quotes. */
function splitHereString(text: string, line: number): { command: string; stdin?: string } {
  const at = findUnquoted(text, "<<<");
  if (at < 0) return { command: text };
  let words: string[];
  try {
    words = splitWords(text.slice(at + 3));
  } catch (error) {
    if (error instanceof ShellSyntaxError) throw new ReplaySyntaxError(line, error.message);
    throw error;
  }
  if (words.length !== 1) {
    throw new ReplaySyntaxError(line, "'<<<' needs exactly one (quoted) word");
  }
  return { command: text.slice(0, at), stdin: `${words[0].replaceAll("\\n", "\n")}\n` };
}

function findUnquoted(text: string, needle: string): number {
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
      else if (c === "\\" && quote === '"') i++;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "\\") {
      i++;
    } else if (text.startsWith(needle, i)) {
      return i;
    }
  }
  return -1;
}

/** Expands `$NAME` / `${NAME}` outside single quotes; unknown names expand to "". */
export function expandVariables(text: string, variables: ReadonlyMap<string, string>): string {
  let out = "";
  let inSingle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") inSingle = !inSingle;
    if (c === "$" && !inSingle) {
      const m = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/.exec(text.slice(i));
      if (m) {
        out += variables.get(m[1] ?? m[2]) ?? "";
        i += m[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}
