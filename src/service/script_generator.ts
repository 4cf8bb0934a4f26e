/**
 * Job script generation for `generate_job_script`: a standalone script whose
 * `#PBS` lines request everything its launch line assumes, and the
 * `submit_job` arguments that make exactly the same request.
 *
 * Both come from one request: the `#PBS` lines are the options of the qsub
 * command submit_job builds from the recommended arguments, so the script
 * saved and run with plain `qsub`, and the script passed to submit_job with
 * those arguments, ask PBS for the same thing.
 *
 * The `application` command line is the user's own command and is inserted as
 * written; the values this module adds (input files, conda environment) are
 * shell-quoted. Nothing is written to disk.
 */
import { invalidInput } from "../pbs/errors.ts";
import { formatSelect } from "../pbs/model/select.ts";
import type { SiteProfile } from "./profiles.ts";
import { chooseQueue, type QueueSite } from "./queue_choice.ts";
import type { RequestedResources } from "./queue_fit.ts";
import type { SubmitJobRequest } from "./requests.ts";
import { shellQuote } from "./shell_quote.ts";
import { buildSubmission } from "./submission.ts";
import { SUBMIT_PARAMETERS } from "./submit_parameters.ts";

export const TEMPLATES = ["python", "mpi", "gpu", "pytorch", "array"] as const;
export type TemplateName = typeof TEMPLATES[number];

export interface ScriptRequest {
  /** A command line, or one of TEMPLATES. */
  application: string;
  inputFiles?: string[];
  nodeCount?: number;
  gpuRequired?: boolean;
  walltime?: string;
  queue?: string;
  account?: string;
  ranksPerNode?: number;
  modules?: string[];
  condaEnv?: string;
  jobName?: string;
  /** Site filesystems the job needs (`home:eagle`). */
  filesystems?: string;
}

export interface GeneratedScript {
  script: string;
  template?: TemplateName;
  /** Arguments to pass to `submit_job` together with `script`: the same request as its `#PBS` lines. */
  submitArguments: Record<string, string>;
  notes: string[];
}

export { shellQuote };

/** What one template runs and how it is laid out on the nodes. */
interface TemplateSpec {
  /** The placeholder program the user replaces with theirs. */
  program: string;
  /** Launched with mpiexec: `ranks` ranks on each node (select's mpiprocs). */
  mpi: boolean;
  /** One MPI rank per GPU, so ranks per node = GPUs per node. */
  gpu: boolean;
  /** The array range the template is written for. */
  arrayRange?: string;
  /** Lines that run the program; `inputs` is the quoted input file list (may be empty). */
  launch(inputs: string, ranks: number, launcher: Launcher): string[];
}

/** How MPI programs start: plain `mpiexec`, or a site profile's launcher, flags and GPU binding. */
interface Launcher {
  program: string;
  /** Site flags after `-n N --ppn R`. */
  flags: readonly string[];
  /** A wrapper binding each local rank to its GPU (GPU templates only). */
  gpuAffinity?: string;
}

const PLAIN_MPIEXEC: Launcher = { program: "mpiexec", flags: [] };

function launcherOf(profile: SiteProfile | undefined): Launcher {
  if (!profile?.mpi) return { ...PLAIN_MPIEXEC, gpuAffinity: profile?.gpu_affinity };
  return {
    program: profile.mpi.launcher,
    flags: profile.mpi.flags,
    gpuAffinity: profile.gpu_affinity,
  };
}

/** The launcher over every node, `ranks` per node; `gpu`: through the site's GPU binding. */
function mpiLaunch(
  command: string,
  ranks: number,
  launcher: Launcher,
  gpu = false,
  comment = "",
): string[] {
  const words = [
    launcher.program,
    "-n $((NNODES * RANKS_PER_NODE)) --ppn $RANKS_PER_NODE",
    ...launcher.flags,
    ...(gpu && launcher.gpuAffinity ? [launcher.gpuAffinity] : []),
    command,
  ];
  return [
    // PBS lists each host once per MPI rank (select's mpiprocs); count hosts once.
    `NNODES=$(sort -u "$PBS_NODEFILE" | wc -l)`,
    `RANKS_PER_NODE=${ranks}${comment}`,
    `echo "Launching $((NNODES * RANKS_PER_NODE)) ranks on $NNODES nodes"`,
    words.join(" "),
  ];
}

const GPU_RANKS_COMMENT = "  # one rank per GPU (or GPU tile)";

const withInputs = (command: string, inputs: string) => (inputs ? `${command} ${inputs}` : command);

const TEMPLATE_SPECS: Record<TemplateName, TemplateSpec> = {
  python: {
    program: "main.py",
    mpi: false,
    gpu: false,
    launch: (inputs) => [withInputs("python3 main.py", inputs)],
  },
  mpi: {
    program: "./app",
    mpi: true,
    gpu: false,
    launch: (inputs, ranks, launcher) => mpiLaunch(withInputs("./app", inputs), ranks, launcher),
  },
  gpu: {
    program: "./gpu_app",
    mpi: true,
    gpu: true,
    launch: (inputs, ranks, launcher) =>
      mpiLaunch(withInputs("./gpu_app", inputs), ranks, launcher, true, GPU_RANKS_COMMENT),
  },
  pytorch: {
    program: "train.py",
    mpi: true,
    gpu: true,
    launch: (inputs, ranks, launcher) => [
      `export MASTER_ADDR=$(head -n 1 "$PBS_NODEFILE")`,
      `export MASTER_PORT=29500`,
      ...mpiLaunch(
        withInputs("python3 train.py", inputs),
        ranks,
        launcher,
        true,
        GPU_RANKS_COMMENT,
      ),
    ],
  },
  array: {
    program: "main.py",
    mpi: false,
    gpu: false,
    arrayRange: "1-10",
    launch: (inputs) => [
      `# PBS_ARRAY_INDEX is this subjob's index in the -J range.`,
      withInputs(`python3 main.py --index "$PBS_ARRAY_INDEX"`, inputs),
    ],
  },
};

/** GPUs per node when GPUs are asked for without ranks_per_node. */
const DEFAULT_GPUS_PER_NODE = 4;
const DEFAULT_WALLTIME = "01:00:00";

function isTemplate(name: string): name is TemplateName {
  return (TEMPLATES as readonly string[]).includes(name);
}

/** Per-node layout: what each chunk of the select asks for. */
interface Layout {
  nodes: number;
  ncpus: number;
  /** MPI ranks per node; absent when nothing is launched with mpiexec. */
  mpiprocs?: number;
  ngpus?: number;
}

/**
 * MPI launches (templates, or a command line given ranks_per_node) get
 * `ncpus = mpiprocs = ranks`; with GPUs there is one rank per GPU. Other jobs
 * run one process: one cpu per node, plus the GPUs asked for. A site profile
 * gives the node's GPUs and the ranks per node of its GPU layout (Aurora: 6
 * GPUs, 12 ranks, one per tile).
 */
function layoutFor(
  req: ScriptRequest,
  spec: TemplateSpec | undefined,
  profile?: SiteProfile,
): Layout {
  const nodes = req.nodeCount ?? 1;
  const gpu = spec?.gpu || req.gpuRequired;
  const gpus = gpu
    ? profile?.gpus_per_node ?? req.ranksPerNode ?? DEFAULT_GPUS_PER_NODE
    : undefined;
  const mpi = spec ? spec.mpi : req.ranksPerNode !== undefined;
  if (!mpi) return { nodes, ncpus: 1, ngpus: gpus };
  const siteRanks = gpu ? profile?.ranks_per_node : undefined;
  const ranks = req.ranksPerNode ?? siteRanks ?? gpus ?? 1;
  return { nodes, ncpus: ranks, mpiprocs: ranks, ngpus: gpus };
}

function selectOf(layout: Layout): string {
  const resources: Record<string, string> = { ncpus: String(layout.ncpus) };
  if (layout.ngpus !== undefined) resources.ngpus = String(layout.ngpus);
  if (layout.mpiprocs !== undefined) resources.mpiprocs = String(layout.mpiprocs);
  return formatSelect([{ count: layout.nodes, resources }]);
}

const ARRANGEMENTS = new Set(["free", "pack", "scatter", "vscatter"]);

/**
 * The place for several nodes, as submit_job asks for it: N nodes mean N
 * distinct hosts, so `scatter` (each chunk on its own host; `vscatter` only
 * separates vnodes, several of which can share a host), keeping the sharing
 * part (`excl`, `shared`, `exclhost`, `group=`) of the default place, which
 * an explicit place would otherwise drop.
 */
function nodesPlace(defaultPlace: string | undefined): string {
  const kept = (defaultPlace ?? "").split(":").filter((w) => w !== "" && !ARRANGEMENTS.has(w));
  return ["scatter", ...kept].join(":");
}

/** The request fields the generator recommends, each written as a `#PBS` line. */
const RECOMMENDED = [
  "jobName",
  "queue",
  "account",
  "walltime",
  "select",
  "place",
  "filesystems",
  "arrayRange",
] as const satisfies readonly (keyof SubmitJobRequest)[];

type RecommendedRequest = Pick<SubmitJobRequest, typeof RECOMMENDED[number]>;

/**
 * The `#PBS` lines for a request: the options of the qsub command submit_job
 * builds for it (which also validates every value), one per line.
 */
function directiveLines(request: RecommendedRequest): string[] {
  const { argv } = buildSubmission({ ...request, script: "#!/bin/bash\n" }).command;
  const lines: string[] = [];
  for (let i = 1; i + 1 < argv.length; i += 2) lines.push(`#PBS ${argv[i]} ${argv[i + 1]}`);
  return lines;
}

/** The submit_job arguments for a request, named by submit_job's own parameter table. */
function submitArgumentsOf(request: RecommendedRequest): Record<string, string> {
  const args: Record<string, string> = {};
  for (const { name, field } of SUBMIT_PARAMETERS) {
    const value = (RECOMMENDED as readonly string[]).includes(field)
      ? request[field as keyof RecommendedRequest]
      : undefined;
    if (value !== undefined) args[name] = value;
  }
  return args;
}

/** Every string the request carries, with the parameter it came from. */
function stringsOf(req: ScriptRequest): [string, string][] {
  const out: [string, string][] = [];
  const names: Record<string, string> = {
    inputFiles: "input_files",
    condaEnv: "conda_env",
    jobName: "job_name",
  };
  for (const [key, value] of Object.entries(req)) {
    const name = names[key] ?? key;
    if (typeof value === "string") out.push([name, value]);
    if (Array.isArray(value)) { for (const item of value) out.push([name, String(item)]); }
  }
  return out;
}

function refuseNul(req: ScriptRequest): void {
  const hit = stringsOf(req).find(([, value]) => value.includes("\0"));
  if (hit) {
    throw invalidInput(
      `${hit[0]} contains a NUL character`,
      "Remove it; scripts, names and paths are text.",
    );
  }
}

const MODULE_NAME = /^[A-Za-z0-9_.+\/][A-Za-z0-9_.+\/-]*$/;

function environmentSetup(req: ScriptRequest, profile?: SiteProfile): string[] {
  const lines: string[] = [];
  for (const module of [...(profile?.modules ?? []), ...(req.modules ?? [])]) {
    if (!MODULE_NAME.test(module)) {
      throw invalidInput(
        `module name ${JSON.stringify(module)} has characters module names never use`,
        "Give module names as `module avail` prints them, e.g. `conda/2024-04-29` or `cray-python`.",
      );
    }
    lines.push(`module load ${module}`);
  }
  if (req.condaEnv !== undefined) {
    if (req.condaEnv.startsWith("-") || req.condaEnv.trim() === "") {
      throw invalidInput(
        `conda_env ${JSON.stringify(req.condaEnv)} is not an environment name`,
        "Give the name or path `conda env list` shows, e.g. `myenv` or `/home/alice/envs/ml`.",
      );
    }
    lines.push(`conda activate ${shellQuote(req.condaEnv)}`);
  }
  return lines;
}

/** An input file as a program argument that can never read as an option: `-rf` → `./-rf`. */
function inputArgument(file: string): string {
  return shellQuote(file.startsWith("-") ? `./${file}` : file);
}

function checkApplication(application: string): void {
  if (application === "") {
    throw invalidInput(
      "application is empty",
      `Give a command line (e.g. "python3 train.py --epochs 10") or a template: ${
        TEMPLATES.join(", ")
      }.`,
    );
  }
  if (/[\n\r]/.test(application)) {
    throw invalidInput(
      "application must be a single command line",
      "Put multi-line logic in a script file and give its invocation, e.g. `bash run.sh`.",
    );
  }
}

/** What the script asks PBS for, before any queue is chosen. */
export interface ScriptPlan {
  request: RecommendedRequest;
  layout: Layout;
  template?: TemplateName;
  /** The site profile the script is written for. */
  profile?: SiteProfile;
}

/** The request a script will make (validated when the script is written). */
export function planJobScript(req: ScriptRequest, profile?: SiteProfile): ScriptPlan {
  refuseNul(req);
  const application = req.application.trim();
  checkApplication(application);
  const template = isTemplate(application) ? application : undefined;
  const spec = template ? TEMPLATE_SPECS[template] : undefined;
  const layout = layoutFor(req, spec, profile);
  const request: RecommendedRequest = {
    jobName: req.jobName,
    queue: req.queue,
    account: req.account,
    walltime: req.walltime ?? DEFAULT_WALLTIME,
    select: selectOf(layout),
    place: layout.nodes > 1 ? nodesPlace(undefined) : undefined,
    filesystems: req.filesystems,
    arrayRange: spec?.arrayRange,
  };
  return { request, layout, template, profile };
}

/**
 * Writes the script for a plan (its queue and account possibly chosen by the
 * caller). Throws `invalid_input` for anything PBS or bash would misread.
 */
export function writeJobScript(req: ScriptRequest, plan: ScriptPlan): GeneratedScript {
  const application = req.application.trim();
  const { template, layout, request, profile } = plan;
  const spec = template ? TEMPLATE_SPECS[template] : undefined;
  const inputs = (req.inputFiles ?? []).map(inputArgument).join(" ");
  const launch = spec
    ? spec.launch(inputs, layout.mpiprocs ?? 1, launcherOf(profile))
    // A literal command line is the user's own command: inserted as written.
    : [withInputs(application, inputs)];
  const lines = [
    "#!/bin/bash",
    ...directiveLines(request),
    `# Generated by pbs-mcp${template ? ` (template: ${template})` : ""}.`,
    "set -euo pipefail",
    'cd "${PBS_O_WORKDIR:-$PWD}"',
    ...environmentSetup(req, profile),
    ...launch,
    "",
  ];
  const notes: string[] = [];
  if (spec) {
    notes.push(`Template "${template}" runs a placeholder program (${spec.program}); edit it.`);
  }
  if (spec?.mpi && !spec.gpu && req.ranksPerNode === undefined && !req.gpuRequired) {
    notes.push("One MPI rank per node: give ranks_per_node to use more of each node's cores.");
  }
  if (layout.nodes > 1 && layout.mpiprocs === undefined) {
    notes.push(
      `${layout.nodes} nodes are requested but the program runs once, on the first node; ` +
        "start it on the others yourself (e.g. mpiexec with ranks_per_node) or use the mpi template.",
    );
  }
  if (req.walltime === undefined) {
    notes.push(`No walltime given: ${DEFAULT_WALLTIME} is recommended as a start.`);
  }
  return {
    script: lines.join("\n"),
    template,
    submitArguments: submitArgumentsOf(request),
    notes,
  };
}

/** planJobScript + writeJobScript, for a request whose queue and account are taken as given. */
export function buildJobScript(req: ScriptRequest): GeneratedScript {
  return writeJobScript(req, planJobScript(req));
}

/** What generation reads from the service: the caller, the site's settings, its queues. */
export interface ScriptSite extends QueueSite {
  config: { defaultAccount?: string };
  /** The active site profile: required resources, launcher, GPU layout, modules. */
  profile?: SiteProfile;
}

/**
 * `generate_job_script`: the script and its submit_job arguments for this
 * site. Without an account, the server's default account (PBS_ACCOUNT) is
 * written, as submit_job would charge it. Without a queue, one the request
 * fits is chosen (none, with a note, when no queue takes it); a given queue
 * that does not take the request is kept, with a note saying why.
 */
export async function generateJobScript(
  site: ScriptSite,
  req: ScriptRequest,
): Promise<GeneratedScript> {
  const plan = planJobScript(req, site.profile);
  const notes = site.profile ? siteRequirements(plan.request, site.profile) : [];
  if (plan.request.account === undefined && site.config.defaultAccount !== undefined) {
    plan.request.account = site.config.defaultAccount;
    notes.push(`Account ${site.config.defaultAccount} is the server's default (PBS_ACCOUNT).`);
  }
  const choice = await chooseQueue(site, requestedResources(plan.request), plan.request.queue);
  plan.request.queue = choice.queue;
  if (plan.request.place !== undefined) plan.request.place = nodesPlace(choice.defaultPlace);
  notes.push(...choice.notes);
  const generated = writeJobScript(req, plan);
  return { ...generated, notes: [...generated.notes, ...notes] };
}

/** The `-l` resources a request asks for, as queue_fit compares them with limits. */
function requestedResources(request: RecommendedRequest): RequestedResources {
  const out: RequestedResources = {};
  for (const name of ["walltime", "select", "place", "filesystems"] as const) {
    const value = request[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * The site profile's required resources the script must request: filesystems
 * from the profile's default (said in a note), any other named in a note
 * (submit_job adds it from the default, or refuses without one).
 */
function siteRequirements(request: RecommendedRequest, profile: SiteProfile): string[] {
  const notes: string[] = [];
  for (const rule of profile.required_resources) {
    if (rule.name === "filesystems") {
      if (request.filesystems !== undefined) continue;
      const value = rule.default ?? rule.example;
      request.filesystems = value;
      notes.push(
        `filesystems=${value} is requested because the ${profile.name} site requires it ` +
          `("${rule.rule}"); give filesystems to name the ones the job uses.`,
      );
    } else {
      notes.push(
        `The ${profile.name} site also requires -l ${rule.name} (e.g. ${rule.example}): ` +
          `add #PBS -l ${rule.name}=${rule.example}` +
          (rule.default ? `; submit_job adds ${rule.default} when it is missing.` : "."),
      );
    }
  }
  if (profile.mpi) {
    notes.push(`MPI launch line written for ${profile.name}: ${profile.description}.`);
  }
  return notes;
}
