/**
 * From a `submit_job` request to the exact qsub command, plus what the user
 * needs to see about it: the effective request, which qsub options came from
 * explicit parameters (so `#PBS` directives they override can be named), and
 * — given the server and its queues — the queue it goes to and whether it
 * fits there (for a routing queue: which destination takes it, if any).
 */
import { qsub, qsubArguments, type QsubOptions } from "../pbs/commands/mod.ts";
import { isPbsError, PbsError } from "../pbs/errors.ts";
import type { PbsCommand } from "../pbs/commands/mod.ts";
import type { Queue, ServerInfo } from "../pbs/model/types.ts";
import {
  directiveResources,
  directiveValue,
  parseDirectives,
  reportDirectives,
} from "./directives.ts";
import type { SiteProfile } from "./profiles.ts";
import { checkQueue, type QueueFit, type RequestedResources } from "./queue_fit.ts";
import type { SubmitJobRequest } from "./requests.ts";
import type { DirectiveReport } from "./results.ts";
import { effectiveView, type ExplicitOptions, explicitOptions } from "./submit_parameters.ts";

/** The server and queues a submission is checked against, and who submits. */
export interface SubmissionContext {
  server: ServerInfo;
  queues: readonly Queue[];
  user: string;
}

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
  /** The job's own `-l` request: the script's directives under the explicit parameters. */
  requested: RequestedResources;
  /** The queue qsub submits to: `queue`, the script's `#PBS -q`, or the server's default. */
  target?: string;
  /** How the request fits the target queue (known when a context was given). */
  fit?: QueueFit;
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
 * `context` (server and queues) lets the target queue, the fit and the
 * default place be known. `profile` (the active site profile) adds each
 * resource the site requires that neither the request nor the script asks
 * for, or refuses the request before qsub when the profile has no default.
 */
export function buildSubmission(
  request: SubmitJobRequest,
  defaultAccount?: string,
  scriptText: string = request.script ?? "",
  context?: SubmissionContext,
  profile?: SiteProfile,
): Submission {
  const [adjusted, notes] = applySelectPrecedence(request);
  request = adjusted;
  const directives = parseDirectives(scriptText);
  const account = request.account ??
    (directiveValue(directives, "-A") !== undefined ? undefined : defaultAccount);
  if (profile) {
    const own = requestedResources(
      directiveResources(directives),
      qsubArguments(qsubOptions(request, account)),
    );
    const required = withRequiredResources(request, own, profile);
    request = required.request;
    notes.push(...required.notes);
  }
  let options = qsubOptions(request, account);
  let args = qsubArguments(options);
  let requested = requestedResources(directiveResources(directives), args);
  const target = targetQueue(request.queue ?? directiveValue(directives, "-q"), context);
  const queue = context?.queues.find((q) => q.name === target);
  let fit = queue && context ? checkQueue(requested, queue, context) : undefined;

  const place = nodesPlace(request, requested, context, queue, fit);
  if (place) {
    options = { ...options, place: place.value };
    args = qsubArguments(options);
    requested = requestedResources(directiveResources(directives), args);
    fit = queue && context ? checkQueue(requested, queue, context) : undefined;
    notes.push(place.note);
  }
  const explicit = explicitOptions(request);
  return {
    command: qsub(options),
    effective: effectiveView(args),
    explicit,
    directives: reportDirectives(directives, explicit),
    notes,
    requested,
    ...(target ? { target } : {}),
    ...(fit ? { fit } : {}),
  };
}

function qsubOptions(request: SubmitJobRequest, account: string | undefined): QsubOptions {
  return {
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
}

/** The script's `-l` requests overridden key by key by the command line's, as qsub merges them. */
function requestedResources(
  fromScript: Record<string, string>,
  args: ReturnType<typeof qsubArguments>,
): RequestedResources {
  const requested: RequestedResources = { ...fromScript };
  for (const { option, key, value } of args) {
    if (option === "-l" && key !== undefined && value !== undefined) requested[key] = value;
  }
  return requested;
}

/** `queue`, `queue@server` or `@server` → the queue's name (the server's default when absent). */
function targetQueue(given: string | undefined, context?: SubmissionContext): string | undefined {
  const name = given?.split("@")[0];
  return name || context?.server.defaultQueue;
}

const ARRANGEMENTS = new Set(["free", "pack", "scatter", "vscatter"]);

/**
 * `node_count > 1` means that many distinct hosts, but a select of N chunks
 * without `place` may pack them onto one node (seen on `tiny`: nodect=2, one
 * host). So, unless the request or the script names a place, ask for
 * `scatter` — each chunk on its own host. Not `vscatter`: that only separates
 * vnodes, and one host can hold several vnodes (e.g. one per socket). A
 * default place of the queue the job runs in, or of the server, keeps its
 * sharing part (`excl`, `shared`, `exclhost`) and `group=`.
 */
function nodesPlace(
  request: SubmitJobRequest,
  requested: RequestedResources,
  context: SubmissionContext | undefined,
  queue: Queue | undefined,
  fit: QueueFit | undefined,
): { value: string; note: string } | undefined {
  if ((request.nodeCount ?? 1) <= 1 || requested.place !== undefined) return undefined;
  const runsIn = context?.queues.find((q) => q.name === fit?.routesTo) ?? queue;
  const dflt = [runsIn?.resourcesDefault.place, context?.server.resourcesDefault.place]
    .find((p) => p !== undefined);
  const kept = dflt === undefined
    ? []
    : String(dflt).split(":").filter((w) => w !== "" && !ARRANGEMENTS.has(w));
  const value = ["scatter", ...kept].join(":");
  const from = dflt === undefined ? "" : ` (keeping ${kept.join(":") || "nothing"} of the ` +
    `default place ${dflt})`;
  return {
    value,
    note: `place=${value} requested so the ${request.nodeCount} nodes are ${request.nodeCount} ` +
      `distinct hosts${from}: scatter puts each chunk on its own host (vscatter would only ` +
      "separate vnodes, several of which can share a host). Give place to choose otherwise.",
  };
}

/**
 * The request with every resource the site profile requires and the job does
 * not ask for (`own`: the script's and the parameters' `-l` values) added from
 * the profile's default, each said in a note. A required resource without a
 * default is an `invalid_input` error naming it and a value the site accepts:
 * the site's hook would refuse the job anyway.
 */
function withRequiredResources(
  request: SubmitJobRequest,
  own: RequestedResources,
  profile: SiteProfile,
): { request: SubmitJobRequest; notes: string[] } {
  const notes: string[] = [];
  let out = request;
  for (const rule of profile.required_resources) {
    if (own[rule.name] !== undefined) continue;
    if (rule.default === undefined) throw siteRuleError(profile, rule);
    out = rule.name === "filesystems"
      ? { ...out, filesystems: rule.default }
      : { ...out, extraResources: { ...out.extraResources, [rule.name]: rule.default } };
    notes.push(
      `${rule.name}=${rule.default} added from the ${profile.name} site profile's default: the ` +
        `site requires it ("${rule.rule}"). Give ${parameterFor(rule.name)} to choose another.`,
    );
  }
  return { request: out, notes };
}

/** The submit_job parameter that sets `-l NAME`. */
function parameterFor(name: string): string {
  return name === "filesystems" ? "filesystems" : `extra_resources.${name}`;
}

/** A submission missing a resource the site requires, refused before qsub. */
export function siteRuleError(
  profile: SiteProfile,
  rule: SiteProfile["required_resources"][number],
): PbsError {
  return new PbsError({
    kind: "invalid_input",
    message: `The ${profile.name} site requires -l ${rule.name} on every job ("${rule.rule}"), ` +
      "and this request does not ask for it; it was not submitted.",
    hint: `Give ${parameterFor(rule.name)}=${rule.example} (or put #PBS -l ` +
      `${rule.name}=${rule.example} in the script) and submit again.`,
  });
}

/**
 * A queuejob hook's refusal (qsub exit 32) with what to change added from the
 * site profiles (after the catalogue's hint, which names the resource): the
 * active one, whose rule is the hook's message or names the resource it asks
 * for, then a built-in one whose rule is exactly the hook's message. The site's message
 * stays verbatim (`pbsMessage`, and in `message`).
 */
export function withSiteFix(
  error: unknown,
  profiles: readonly SiteProfile[],
  active?: SiteProfile,
): unknown {
  if (!isPbsError(error) || error.command !== "qsub" || error.exitCode !== 32) return error;
  const said = (error.pbsMessage ?? "").replace(/^qsub: /, "").trim();
  for (const profile of profiles) {
    // A built-in profile is suggested only for its site's exact words.
    const rule = profile.required_resources.find((r) =>
      r.rule === said || (profile === active && said.includes(`-l ${r.name}=`))
    );
    if (!rule) continue;
    // The catalogue's hint (the resource the message names) stays; the profile's part follows.
    const fix = profile === active
      ? `The active ${profile.name} site profile's value: ${rule.name}=${rule.example}.`
      : `The built-in ${profile.name} site profile knows this rule: set ` +
        `PBS_MCP_PROFILE=${profile.name} to have ${rule.name}=${rule.default ?? rule.example} ` +
        "added to every job.";
    return new PbsError({
      kind: error.kind,
      message: error.message,
      hint: `${error.hint} ${fix}`,
      pbsMessage: error.pbsMessage,
      command: error.command,
      exitCode: error.exitCode,
      pbsErrno: error.pbsErrno,
    });
  }
  return error;
}
