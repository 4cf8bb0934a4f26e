/**
 * From a `submit_job` request to the exact qsub command, plus what the user
 * needs to see about it: the effective request and which qsub options came
 * from explicit parameters (so `#PBS` directives they override can be named).
 */
import { qsub, type QsubOptions } from "../pbs/commands/mod.ts";
import type { PbsCommand } from "../pbs/commands/mod.ts";
import { type ExplicitOptions, parseDirectives, reportDirectives } from "./directives.ts";
import type { DirectiveReport } from "./results.ts";
import type { SubmitJobRequest } from "./requests.ts";

export interface Submission {
  command: PbsCommand;
  /** Parameter → value as submitted (defaults applied), for the answer. */
  effective: Record<string, string>;
  /** qsub option → the parameter that set it (and, for `-l`/`-W`, which keys). */
  explicit: ExplicitOptions;
  /** The script's `#PBS` directives, each marked with the parameter overriding it, if any. */
  directives: DirectiveReport[];
  /** Adjustments made to the request, in plain words. */
  notes: string[];
}

const SELECT_PARTS = ["nodeCount", "ncpus", "ngpus", "mem"] as const;
const SELECT_PART_NAMES = { nodeCount: "node_count", ncpus: "ncpus", ngpus: "ngpus", mem: "mem" };

/** `select` replaces node_count/ncpus/ngpus/mem: drop them, and say so. */
function applySelectPrecedence(request: SubmitJobRequest): [SubmitJobRequest, string[]] {
  if (request.select === undefined) return [request, []];
  const dropped = SELECT_PARTS.filter((k) => request[k] !== undefined);
  if (dropped.length === 0) return [request, []];
  const kept = { ...request };
  for (const k of dropped) delete kept[k];
  const names = dropped.map((k) => SELECT_PART_NAMES[k]).join(", ");
  return [kept, [`select ${request.select} replaced ${names}, which were ignored.`]];
}

/**
 * Maps the request onto the qsub builder (which validates every value).
 * `scriptText` is the script (read from `scriptPath` by the caller when the
 * script is a file). `defaultAccount` (PBS_ACCOUNT) applies only when neither
 * the request nor the script (`#PBS -A`) names an account: on the command line
 * it would beat the script's own and silently charge another project.
 */
export function buildSubmission(
  request: SubmitJobRequest,
  defaultAccount?: string,
  scriptText: string = request.script ?? "",
): Submission {
  const [adjusted, notes] = applySelectPrecedence(request);
  request = adjusted;
  const directives = parseDirectives(scriptText);
  const scriptNamesAccount = directives.some((d) => d.option === "-A");
  const account = request.account ?? (scriptNamesAccount ? undefined : defaultAccount);
  const options: QsubOptions = {
    script: request.scriptPath,
    scriptText: request.script,
    name: request.jobName,
    queue: request.queue,
    walltime: request.walltime,
    select: request.select,
    nodes: request.nodeCount,
    ncpus: request.ncpus,
    ngpus: request.ngpus,
    mem: request.mem,
    place: request.place,
    filesystems: request.filesystems,
    resources: request.extraResources,
    account,
    arrayRange: request.arrayRange,
    depend: request.depend,
    env: request.env,
    output: request.outputPath,
    error: request.errorPath,
    join: request.joinOutput === undefined ? undefined : request.joinOutput ? "oe" : "n",
    keep: request.keepFiles,
    mailEvents: request.mailEvents,
    mailUsers: request.mailUsers,
    hold: request.hold,
    priority: request.priority,
    startAfter: request.startAfter,
    rerunnable: request.rerunnable,
  };
  const command = qsub(options);
  const explicit = explicitOptions(request);
  return {
    command,
    effective: effectiveRequest(command.argv),
    explicit,
    directives: reportDirectives(directives, explicit),
    notes,
  };
}

/** Reads the effective request back from the argv, so it shows exactly what was sent. */
function effectiveRequest(argv: string[]): Record<string, string> {
  const names: Record<string, string> = {
    "-N": "job_name",
    "-q": "queue",
    "-A": "account",
    "-J": "array_range",
    "-o": "output_path",
    "-e": "error_path",
    "-j": "join",
    "-k": "keep_files",
    "-m": "mail_events",
    "-M": "mail_users",
    "-p": "priority",
    "-a": "start_after",
    "-r": "rerunnable",
    "-v": "env",
  };
  const effective: Record<string, string> = {};
  for (let i = 1; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "-h") {
      effective.hold = "user hold";
      continue;
    }
    if (!flag.startsWith("-") || i + 1 >= argv.length) continue;
    const value = argv[++i];
    if (flag === "-l") {
      const eq = value.indexOf("=");
      effective[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (flag === "-W" && value.startsWith("depend=")) {
      effective.depend = value.slice("depend=".length);
    } else if (names[flag]) {
      effective[names[flag]] = value;
    }
  }
  return effective;
}

function explicitOptions(request: SubmitJobRequest): ExplicitOptions {
  const explicit: ExplicitOptions = new Map();
  const set = (option: string, parameter: string, value: unknown) => {
    if (value !== undefined) explicit.set(option, { parameter });
  };
  set("-N", "job_name", request.jobName);
  set("-q", "queue", request.queue);
  set("-A", "account", request.account);
  set("-J", "array_range", request.arrayRange);
  if (request.depend !== undefined) {
    explicit.set("-W", { parameter: "depend", keys: new Map([["depend", "depend"]]) });
  }
  set("-v", "env", request.env);
  set("-o", "output_path", request.outputPath);
  set("-e", "error_path", request.errorPath);
  set("-j", "join_output", request.joinOutput);
  set("-k", "keep_files", request.keepFiles);
  set("-m", "mail_events", request.mailEvents);
  set("-M", "mail_users", request.mailUsers);
  set("-h", "hold", request.hold || undefined);
  set("-p", "priority", request.priority);
  set("-a", "start_after", request.startAfter);
  set("-r", "rerunnable", request.rerunnable);

  const resources = new Map<string, string>();
  const builtSelect = request.nodeCount ?? request.ncpus ?? request.ngpus ?? request.mem;
  if (request.walltime !== undefined) resources.set("walltime", "walltime");
  if (request.select !== undefined) resources.set("select", "select");
  else if (builtSelect !== undefined) resources.set("select", "node_count/ncpus/ngpus/mem");
  if (request.place !== undefined) resources.set("place", "place");
  if (request.filesystems !== undefined) resources.set("filesystems", "filesystems");
  for (const name of Object.keys(request.extraResources ?? {})) {
    resources.set(name, `extra_resources.${name}`);
  }
  if (resources.size > 0) explicit.set("-l", { parameter: "resources", keys: resources });
  return explicit;
}
