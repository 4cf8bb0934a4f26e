/**
 * The one table of submission parameters: each submit_job argument, the
 * service request field it fills, and where qsub receives it (an option, or a
 * `-l`/`-W` key). The argument copy, the explicit-options map behind the
 * `#PBS` override report, the effective-request view and the dry run are all
 * loops over this table, so a parameter is mapped in exactly one place.
 */
import type { QsubArgument } from "../pbs/commands/mod.ts";
import type { SubmitJobRequest } from "./requests.ts";

export interface SubmitParameter {
  /** The submit_job argument (snake_case). */
  name: string;
  /** The SubmitJobRequest field it fills. */
  field: keyof SubmitJobRequest;
  /** The qsub option it becomes; `stdin`/`script` for the script itself. */
  option: string;
  /** For `-l` and `-W`: the key it sets (extra_resources sets one key per entry). */
  key?: string;
}

export const SUBMIT_PARAMETERS: readonly SubmitParameter[] = [
  { name: "script_path", field: "scriptPath", option: "script" },
  { name: "script", field: "script", option: "stdin" },
  { name: "job_name", field: "jobName", option: "-N" },
  { name: "queue", field: "queue", option: "-q" },
  { name: "walltime", field: "walltime", option: "-l", key: "walltime" },
  { name: "node_count", field: "nodeCount", option: "-l", key: "select" },
  { name: "ncpus", field: "ncpus", option: "-l", key: "select" },
  { name: "ngpus", field: "ngpus", option: "-l", key: "select" },
  { name: "mem", field: "mem", option: "-l", key: "select" },
  { name: "select", field: "select", option: "-l", key: "select" },
  { name: "place", field: "place", option: "-l", key: "place" },
  { name: "filesystems", field: "filesystems", option: "-l", key: "filesystems" },
  { name: "extra_resources", field: "extraResources", option: "-l" },
  { name: "account", field: "account", option: "-A" },
  { name: "array_range", field: "arrayRange", option: "-J" },
  { name: "depend", field: "depend", option: "-W", key: "depend" },
  { name: "env", field: "env", option: "-v" },
  { name: "output_path", field: "outputPath", option: "-o" },
  { name: "error_path", field: "errorPath", option: "-e" },
  { name: "join_output", field: "joinOutput", option: "-j" },
  { name: "keep_files", field: "keepFiles", option: "-k" },
  { name: "mail_events", field: "mailEvents", option: "-m" },
  { name: "mail_users", field: "mailUsers", option: "-M" },
  { name: "hold", field: "hold", option: "-h" },
  { name: "priority", field: "priority", option: "-p" },
  { name: "start_after", field: "startAfter", option: "-a" },
  { name: "rerunnable", field: "rerunnable", option: "-r" },
];

const BY_OPTION = new Map(
  SUBMIT_PARAMETERS.filter((p) => p.key === undefined).map((p) => [p.option, p]),
);

/** submit_job arguments (snake_case) → the service request; unknown names are not copied. */
export function requestFromArguments(args: Record<string, unknown>): SubmitJobRequest {
  const request: Record<string, unknown> = {};
  for (const p of SUBMIT_PARAMETERS) {
    const value = args[p.name];
    if (value === undefined) continue;
    request[p.field] = p.field === "extraResources" ? stringValues(value) : value;
  }
  return request as SubmitJobRequest;
}

function stringValues(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** What explicit parameters put on the qsub command line, per option (and `-l`/`-W` key). */
export type ExplicitOptions = Map<string, { parameter: string; keys?: Map<string, string> }>;

/**
 * The options a request sets explicitly, each naming its parameter; for `-l`
 * and `-W` per key (`select` ← `node_count/ncpus`). `hold: false` sets nothing.
 */
export function explicitOptions(request: SubmitJobRequest): ExplicitOptions {
  const explicit: ExplicitOptions = new Map();
  for (const p of SUBMIT_PARAMETERS) {
    const value = request[p.field];
    if (value === undefined || !p.option.startsWith("-") || (p.option === "-h" && !value)) continue;
    if (p.option !== "-l" && p.option !== "-W") {
      explicit.set(p.option, { parameter: p.name });
      continue;
    }
    const entry = explicit.get(p.option) ??
      { parameter: p.option === "-l" ? "resources" : p.name, keys: new Map<string, string>() };
    explicit.set(p.option, entry);
    const keys = p.key === undefined
      ? Object.keys(value as Record<string, string>).map((k) => [k, `${p.name}.${k}`])
      : [[p.key, p.name]];
    for (const [key, name] of keys) {
      const before = entry.keys!.get(key);
      entry.keys!.set(key, before ? `${before}/${name}` : name);
    }
  }
  return explicit;
}

/**
 * What qsub is asked for, keyed by parameter name (resource name for `-l`):
 * read off the validated arguments the command is built from, not its argv.
 */
export function effectiveView(args: readonly QsubArgument[]): Record<string, string> {
  const effective: Record<string, string> = {};
  for (const { option, key, value } of args) {
    if (option === "-h") effective.hold = "user hold";
    else if (key !== undefined) effective[key] = value ?? "";
    else effective[BY_OPTION.get(option)?.name ?? option] = value ?? "";
  }
  return effective;
}
