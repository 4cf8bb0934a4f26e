/**
 * Prompts: ready-made requests a user can pick in their MCP host. Each one is
 * grounded in live PBS data where it names a job or queue (the queue's limits,
 * the job's state and exit status are written into the prompt), so the model
 * starts from facts instead of guesses.
 */
import { completable, type GetPromptResult, type McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { describeExitStatus } from "../pbs/model/exit_status.ts";
import { describeJobState } from "../pbs/model/states.ts";
import { formatSizeApprox, parseSize } from "../pbs/model/time.ts";
import type { Job, Node, Queue } from "../pbs/model/types.ts";
import { gatherDiagnosis } from "../service/diagnose/gather.ts";
import type { Cluster, ClusterSet } from "../service/cluster_set.ts";
import type { PbsClient } from "../service/pbs_client.ts";
import { MAX_COMPLETIONS, toProtocolError } from "./resources.ts";
import type { ToolContext } from "./tool_kit.ts";
import { nodeSummaryText, summarizeNodes } from "./views/nodes.ts";
import { queueLine, queueView } from "./views/queues.ts";
import { jobRow, rowId } from "./views/jobs.ts";

/** Jobs named in a monitoring prompt; more are counted. */
const MAX_MONITORED = 20;
/** Distinct node shapes described in a prompt. */
const MAX_NODE_TYPES = 8;

/**
 * Prompts send the model to tools; a read-only server offers no write tools,
 * so there the steps name what the user does themselves (qsub, qalter).
 */
export function registerPrompts(server: McpServer, { clusters }: ToolContext): void {
  const on = promptClusters(clusters);
  registerSubmitGuide(server, on);
  registerDiagnoseFailure(server, on);
  registerOptimizeResources(server, on);
  registerSetupMonitoring(server, on);
}

/**
 * What a prompt needs to know of the clusters: with several, each prompt
 * takes `cluster` (completed from the names), reads that cluster's state, and
 * tells the model to pass it to the tools the prompt names.
 */
interface PromptClusters {
  /** The default cluster's client: completions. */
  client: PbsClient;
  /** The `cluster` argument, when there are several. */
  argument: Record<string, z.ZodOptional<z.ZodString>>;
  /** The cluster a call names (the default without). */
  pick(args: { cluster?: string }): Cluster;
  /** The prompt's text with the cluster named, when there are several. */
  named(result: GetPromptResult, cluster: Cluster): GetPromptResult;
}

function promptClusters(clusters: ClusterSet): PromptClusters {
  return {
    client: clusters.default.client,
    argument: clusters.several
      ? {
        cluster: completable(
          z.string().describe(`Cluster (default ${clusters.default.name})`),
          (typed: string | undefined) => startingWith(clusters.names, typed),
        ).optional(),
      }
      : {},
    pick: (args) => clusters.pick(args.cluster),
    named: (result, cluster) => {
      if (!clusters.several) return result;
      const [first, ...rest] = result.messages;
      const note = `\n\nThis is about cluster ${cluster.name}: pass cluster: "${cluster.name}" ` +
        "to every tool call.";
      return first?.content.type === "text"
        ? {
          ...result,
          messages: [
            { ...first, content: { ...first.content, text: first.content.text + note } },
            ...rest,
          ],
        }
        : result;
    },
  };
}

// ---------------------------------------------------------------------------
// Plumbing

function userPrompt(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: "user", content: { type: "text", text } }] };
}

/**
 * Runs a prompt builder on the cluster the arguments name, turning PbsErrors
 * into JSON-RPC errors with kind and hint.
 */
async function grounded(
  on: PromptClusters,
  args: { cluster?: string },
  build: (client: PbsClient) => Promise<GetPromptResult>,
): Promise<GetPromptResult> {
  try {
    const cluster = on.pick(args);
    return on.named(await build(cluster.client), cluster);
  } catch (error) {
    throw toProtocolError(error);
  }
}

function startingWith<T extends string>(values: readonly T[], typed: string | undefined): T[] {
  return values.filter((value) => value.startsWith(typed ?? "")).slice(0, MAX_COMPLETIONS);
}

async function queueNames(client: PbsClient, typed: string | undefined): Promise<string[]> {
  try {
    return startingWith((await client.queues()).map((q) => q.name), typed);
  } catch {
    return [];
  }
}

async function myJobIds(client: PbsClient, typed: string | undefined): Promise<string[]> {
  try {
    const rows = await client.listJobRows({ user: "me", includeFinished: true });
    return startingWith(rows.map(rowId), typed);
  } catch {
    return [];
  }
}

/** Resources whose values are sizes (PBS reports them in kb: `536870912kb`). */
const SIZE_RESOURCES = new Set(["mem", "vmem", "pmem", "pvmem"]);

/** `536870912kb` → `512gb`: a size as people read it; unparsable text is kept. */
function humanSize(text: string): string {
  const bytes = parseSize(text);
  return bytes === undefined ? text : formatSizeApprox(bytes);
}

function queueFacts(queue: Queue): string {
  // Minimums decide routing and refusals as much as maximums do.
  const minimum = Object.entries(queue.resourcesMin).map(([k, v]) => `${k}=${v}`).join(", ");
  return `- ${queueLine(queueView(queue, new Set()))}${minimum ? `; minimum ${minimum}` : ""}${
    Object.keys(queue.resourcesDefault).length
      ? `; defaults ${
        Object.entries(queue.resourcesDefault)
          .map(([k, v]) => `${k}=${SIZE_RESOURCES.has(k) ? humanSize(String(v)) : v}`).join(", ")
      }`
      : ""
  }`;
}

/** Distinct node shapes (`120 nodes: 208 cpus, 6 gpus, 1024gb`), most common first. */
function nodeTypes(nodes: readonly Node[]): string[] {
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const r = node.resourcesAvailable;
    const shape = `${r.ncpus ?? "?"} cpus${r.ngpus ? `, ${r.ngpus} gpus` : ""}${
      r.mem ? `, ${humanSize(String(r.mem))} memory` : ""
    }`;
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, MAX_NODE_TYPES)
    .map(([shape, n]) => `- ${n} node(s) with ${shape}`);
}

// ---------------------------------------------------------------------------
// submit_job_guide

const JOB_TYPES = ["python", "mpi", "gpu"] as const;
type JobType = typeof JOB_TYPES[number];

function registerSubmitGuide(server: McpServer, on: PromptClusters): void {
  server.registerPrompt(
    "submit_job_guide",
    {
      title: "Guide: submit a job",
      description:
        "Step-by-step help to write and submit a python, mpi or gpu job, using this site's " +
        "queue limits and node sizes.",
      argsSchema: {
        ...on.argument,
        job_type: completable(
          z.enum(JOB_TYPES).describe("python, mpi or gpu"),
          (typed: string | undefined) => startingWith(JOB_TYPES, typed),
        ),
        // The completion must sit inside the optional: v2 looks for it there, and
        // silently completes nothing when it wraps the optional instead.
        queue: completable(
          z.string().describe("Queue to use (default: the server's default queue)"),
          (typed: string | undefined) => queueNames(on.client, typed),
        ).optional(),
      },
    },
    (args: { job_type: JobType; queue?: string; cluster?: string }) =>
      grounded(on, args, async (client) => {
        const { job_type, queue } = args;
        const [info, nodes] = await Promise.all([
          client.server().catch(() => undefined),
          client.nodes().catch(() => [] as Node[]),
        ]);
        const queueName = queue ?? info?.defaultQueue;
        const chosen = queueName ? await client.queue(queueName) : undefined;
        // Suggest only queues a request fits: without a size yet, a 1-node job
        // with the queues' default walltime (what a bare submit_job asks for).
        const fitting = await client.queuesFitting({}).catch(() => []);
        const destinations = chosen?.type === "Route"
          ? await Promise.all(
            chosen.routeDestinations.map((name) => client.queue(name).catch(() => undefined)),
          )
          : [];
        const lines = [
          `I want to submit a ${job_type} job to PBS${queue ? ` in queue ${queue}` : ""}.`,
          "",
          "Facts about this site (live):",
          ...(chosen
            ? [queueFacts(chosen)]
            : ["- no default queue is set; pick one with list_queues"]),
          ...(chosen?.type === "Route"
            ? [
              `- ${chosen.name} is a routing queue: it forwards each job to the first of ${
                chosen.routeDestinations.join(", ")
              } whose limits fit it, and PBS discards a job none of them fits:`,
              ...destinations.filter((q) => q !== undefined).map(queueFacts),
            ]
            : []),
          ...(fitting.length
            ? [
              `- a 1-node job with the default walltime fits: ${
                fitting.map((f) => f.queue).join(", ")
              }`,
            ]
            : []),
          ...nodeTypes(nodes),
          "",
          "Please help me step by step:",
          `1. Ask me for anything missing (program, input files, nodes, walltime), keeping within the limits above.`,
          // Only a queue I named is passed on: without one, generate_job_script
          // picks a queue the request fits (the default may not take it).
          `2. Call generate_job_script with application="${job_type}" (or my command line)${
            queue ? ` and queue="${queue}"` : " without queue (it picks one the job fits)"
          }${job_type === "gpu" ? " and gpu_required=true" : ""}; tell me its notes.`,
          ...(client.config.readOnly
            ? [
              "3. Show me the script and the qsub command line that submits it with the recommended resources (this server is read-only: I submit it myself).",
              "4. When I have submitted it, follow the job with wait_for_job and show the end of its output with get_job_output.",
            ]
            : [
              "3. Show me the script, then call submit_job with the script and the recommended arguments and dry_run=true; explain the qsub command and check the queue it says the job goes to.",
              "4. When I confirm, submit for real, then follow the job with wait_for_job and show the end of its output with get_job_output.",
            ]),
          "5. If it does not start or fails, call diagnose_job.",
        ];
        return userPrompt(`Submit a ${job_type} job`, lines.join("\n"));
      }),
  );
}

// ---------------------------------------------------------------------------
// diagnose_job_failure

function registerDiagnoseFailure(server: McpServer, on: PromptClusters): void {
  server.registerPrompt(
    "diagnose_job_failure",
    {
      title: "Diagnose a job",
      description:
        "Finds out why a job failed or does not start, starting from its live status and " +
        "exit status.",
      argsSchema: {
        ...on.argument,
        job_id: completable(
          z.string().min(1).describe("The job id, e.g. 123.server"),
          (typed: string | undefined) => myJobIds(on.client, typed),
        ),
      },
    },
    (args: { job_id: string; cluster?: string }) =>
      grounded(on, args, async (client) => {
        const { job_id } = args;
        const { result } = await gatherDiagnosis(client, job_id);
        const job = await client.job(job_id);
        const lines = [
          `My PBS job ${job.id} needs a diagnosis.`,
          "",
          "Its live status:",
          ...jobFacts(job),
          `- first diagnosis: ${result.category}: ${result.summary}`,
          "",
          "Please:",
          `1. Call diagnose_job with job_id="${job.id}" for the full evidence.`,
          `2. Read the end of its output with get_job_output (stream stderr, then stdout) if it ran.`,
          `3. Explain the cause in plain words, then give me concrete fixes (changed resources, script lines) and ${
            client.config.readOnly
              ? "the qsub or qalter command that applies them."
              : "offer to resubmit with them (submit_job dry_run first)."
          }`,
        ];
        return userPrompt(`Diagnose job ${job.id}`, lines.join("\n"));
      }),
  );
}

function jobFacts(job: Job): string[] {
  const state = describeJobState(job.state);
  const facts = [
    `- name ${job.name}, owner ${job.user}, queue ${job.queue}`,
    `- state ${job.state} (${state.name}): ${state.meaning}`,
  ];
  const asked = ["select", "walltime", "mem"].filter((k) => job.requested[k] !== undefined)
    .map((k) => `${k}=${job.requested[k]}`);
  if (asked.length) facts.push(`- requested ${asked.join(" ")}`);
  const used = ["walltime", "mem", "cput"].filter((k) => job.used[k] !== undefined)
    .map((k) => `${k}=${job.used[k]}`);
  if (used.length) facts.push(`- used ${used.join(" ")}`);
  if (job.comment) facts.push(`- PBS comment: ${job.comment}`);
  if (job.exitStatus !== undefined) {
    facts.push(`- exit status ${job.exitStatus}: ${describeExitStatus(job.exitStatus).meaning}`);
  }
  return facts;
}

// ---------------------------------------------------------------------------
// optimize_resources

function registerOptimizeResources(server: McpServer, on: PromptClusters): void {
  server.registerPrompt(
    "optimize_resources",
    {
      title: "Right-size a job's resources",
      description:
        "Suggests nodes, cpus/gpus, memory, walltime and queue for a described workload, " +
        "using this site's node sizes and queue limits.",
      argsSchema: {
        ...on.argument,
        workload_description: z.string().min(1).max(4_000).describe(
          "What the job does, e.g. 'train a 7B model on 8 GPUs for about 10 hours'",
        ),
      },
    },
    (args: { workload_description: string; cluster?: string }) =>
      grounded(on, args, async (client) => {
        const { workload_description } = args;
        const [nodes, queues] = await Promise.all([client.nodes(), client.queues()]);
        const lines = [
          "Help me choose PBS resources for this workload:",
          "",
          `> ${workload_description.replaceAll("\n", "\n> ")}`,
          "",
          "This site (live):",
          nodeSummaryText(summarizeNodes(nodes)),
          ...nodeTypes(nodes),
          "Queues:",
          ...queues.slice(0, 30).map(queueFacts),
          "",
          "Please recommend: node count, cpus and gpus per node (a select like 2:ncpus=64:ngpus=4), memory, walltime with a safety margin, and a queue whose minimum and maximum limits both fit that request " +
          "(a routing queue, →, hands a job to the first destination it fits, and PBS discards a job none fits" +
          (client.config.readOnly
            ? "). "
            : "; submit_job dry_run=true shows the queue a request would go to). ") +
          "Prefer requests that start sooner (fewer nodes, shorter walltime) when they do not slow the work much, and explain the trade-off. " +
          "If I ran similar jobs before, look at their resources used with list_jobs include_finished=true and get_job_status. " +
          (client.config.readOnly
            ? "End with the exact qsub options (-q, -l select=..., -l walltime=...)."
            : "End with the exact submit_job arguments."),
        ];
        return userPrompt("Right-size resources", lines.join("\n"));
      }),
  );
}

// ---------------------------------------------------------------------------
// setup_job_monitoring

/** `train*` (glob, case-insensitive) or a plain substring. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  if (!/[*?]/.test(pattern)) {
    const needle = pattern.toLowerCase();
    return (name) => name.toLowerCase().includes(needle);
  }
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")
    .replaceAll("?", ".");
  const re = new RegExp(`^${source}$`, "i");
  return (name) => re.test(name);
}

function registerSetupMonitoring(server: McpServer, on: PromptClusters): void {
  server.registerPrompt(
    "setup_job_monitoring",
    {
      title: "Monitor jobs",
      description:
        "Sets up watching your jobs whose name or id matches a pattern (glob like train_* or a " +
        "substring) until they finish, reporting failures.",
      argsSchema: {
        ...on.argument,
        job_pattern: z.string().min(1).max(200).describe(
          "Job name or id pattern, e.g. train_* or sweep",
        ),
      },
    },
    (args: { job_pattern: string; cluster?: string }) =>
      grounded(on, args, async (client) => {
        const { job_pattern } = args;
        const matches = nameMatcher(job_pattern);
        // The light listing (qstat -a -w -u USER), not every user's full JSON.
        const jobs = (await client.listJobRows({ user: "me" }))
          .filter((r) => matches(r.name) || matches(rowId(r))).map(jobRow);
        const shown = jobs.slice(0, MAX_MONITORED);
        const lines = [
          `Please monitor my PBS jobs matching "${job_pattern}".`,
          "",
          jobs.length
            ? `They are now (live, ${jobs.length} job(s)):`
            : "No current job of mine matches it yet; watch for new ones with list_jobs user_filter=me.",
          ...shown.map((j) =>
            `- ${j.id} ${j.name}: ${j.state} (${describeJobState(j.state).name}) in ${j.queue}${
              j.elapsed ? `, running for ${j.elapsed}` : ""
            }`
          ),
          ...(jobs.length > shown.length ? [`- … ${jobs.length - shown.length} more`] : []),
          "",
          "How to monitor:",
          "1. Use wait_for_job (until: finished) on each running or queued job; for many jobs, poll list_jobs user_filter=me every few minutes instead of waiting on each one.",
          "2. When a job finishes, report its exit status; for any non-zero exit status call diagnose_job and summarise the cause.",
          "3. If a job waits much longer than expected, call diagnose_job to see why.",
          "4. End with a table: job, final state, exit status, walltime used.",
        ];
        return userPrompt(`Monitor jobs matching ${job_pattern}`, lines.join("\n"));
      }),
  );
}
