/**
 * generate_job_script: a job script plus the submit_job arguments to run it.
 * The work is done by service/script_generator.ts; this adapter validates the
 * values that end up in submit_job arguments, so the recommendation is one
 * PBS will accept.
 */
import { z } from "zod";
import { generateJobScript, TEMPLATES } from "../../service/script_generator.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";

export const generateJobScriptTool = defineTool({
  name: "generate_job_script",
  title: "Generate a job script",
  description:
    "Writes a bash job script and the submit_job arguments to run it; nothing is written to " +
    "disk or submitted. application is either a command line (e.g. `python3 train.py " +
    "--epochs 10`) or one of the templates python (one Python process), mpi (mpiexec across " +
    "nodes), gpu (one MPI rank per GPU), pytorch (distributed training with MASTER_ADDR set), " +
    "array (one subjob per PBS_ARRAY_INDEX). Optional: input_files (appended as arguments), " +
    "node_count, gpu_required, walltime, queue, account, ranks_per_node, modules (module " +
    "load lines), conda_env, job_name. Every value placed in the script is shell-quoted, so " +
    "odd file names cannot inject commands. Resources are not written as #PBS lines: pass " +
    "`script` and `submit_arguments` to submit_job (dry_run: true first to see the qsub " +
    "command).",
  readOnlyDescription:
    "Writes a bash job script and the resources to request for it; nothing is written to disk " +
    "or submitted. application is a command line or a template: python, mpi, gpu, pytorch, " +
    "array. Optional: input_files, node_count, gpu_required, walltime, queue, account, " +
    "ranks_per_node, modules, conda_env, job_name.",
  input: {
    application: z.string().min(1, "application is empty: give a command line or a template.")
      .max(2_000, "application is over 2,000 characters: put long logic in a script file.")
      .describe(`A command line, or a template: ${TEMPLATES.join(", ")}`),
    input_files: z.array(z.string().max(4_096)).max(100).optional().describe(
      "Files passed to the program as arguments (quoted safely)",
    ),
    node_count: s.boundedInt("node_count", 1, 100_000, 2).optional(),
    gpu_required: z.boolean().optional().describe(
      "Request GPUs (4 per node unless ranks_per_node)",
    ),
    walltime: s.walltime.optional(),
    queue: s.queue.optional(),
    account: s.account.optional(),
    ranks_per_node: s.boundedInt("ranks_per_node", 1, 1_024, 4).optional().describe(
      "MPI ranks per node (mpi, gpu, pytorch templates)",
    ),
    modules: z.array(z.string().max(200)).max(50).optional().describe(
      'Modules to load, e.g. ["conda/2024-04-29"]',
    ),
    conda_env: z.string().max(1_000).optional().describe("Conda environment to activate"),
    job_name: s.jobName.optional(),
  },
  output: {
    script: z.string(),
    template: z.enum(TEMPLATES).optional(),
    submit_arguments: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .describe("The request, as submission parameters"),
    notes: z.array(z.string()),
    written_to_disk: z.literal(false),
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  // deno-lint-ignore require-await
  async run(args) {
    const generated = generateJobScript({
      application: args.application,
      inputFiles: args.input_files,
      nodeCount: args.node_count,
      gpuRequired: args.gpu_required,
      walltime: args.walltime,
      queue: args.queue,
      account: args.account,
      ranksPerNode: args.ranks_per_node,
      modules: args.modules,
      condaEnv: args.conda_env,
      jobName: args.job_name,
    });
    const argsText = Object.entries(generated.submitArguments)
      .map(([k, v]) => `${k}=${v}`).join(" ");
    return {
      structured: {
        script: generated.script,
        template: generated.template,
        submit_arguments: generated.submitArguments,
        notes: generated.notes,
        written_to_disk: false as const,
      },
      text: [
        generated.script,
        `Submit with submit_job script=<the script above> ${argsText}`,
        ...generated.notes,
      ].join("\n"),
    };
  },
});
