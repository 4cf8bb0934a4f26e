/**
 * generate_job_script: a job script plus the submit_job arguments to run it.
 * The work is done by service/script_generator.ts; this adapter maps the
 * tool's arguments onto it (its schemas check the values that become #PBS
 * lines and submit_job arguments).
 */
import { z } from "zod";
import { generateJobScript, TEMPLATES } from "../../service/script_generator.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";

export const generateJobScriptTool = defineTool({
  name: "generate_job_script",
  title: "Generate a job script",
  description:
    "Writes a standalone bash job script and the submit_job arguments to run it; nothing is " +
    "written or submitted. Its #PBS lines request every resource (select matching the launch " +
    "line, place, walltime, queue, account, job_name, filesystems), so plain qsub runs it; " +
    "submit_arguments make the same request. Without queue, it picks one the request fits. " +
    "application is a command line, inserted as written (not quoted or checked), or a " +
    "template: python, mpi, gpu and pytorch (one rank per GPU), array. input_files are " +
    "quoted and appended as arguments.",
  readOnlyDescription:
    "Writes a standalone bash job script whose #PBS lines request every resource, so plain " +
    "qsub runs it; nothing is written or submitted. Without queue, it picks one the request " +
    "fits. application is a command line, inserted as written, or a template: python, mpi, " +
    "gpu, pytorch, array.",
  input: {
    application: z.string().min(1, "application is empty: give a command line or a template.")
      .max(2_000, "application is over 2,000 characters: put long logic in a script file.")
      .describe(`A command line, or a template: ${TEMPLATES.join(", ")}`),
    input_files: z.array(z.string().max(4_096)).max(100).optional().describe(
      "Files passed to the program as arguments (quoted; -x becomes ./-x)",
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
    filesystems: s.filesystems.optional(),
  },
  output: {
    script: z.string(),
    template: z.enum(TEMPLATES).optional(),
    submit_arguments: z.record(z.string(), z.string())
      .describe("The same request as the #PBS lines, as submit_job parameters"),
    notes: z.array(z.string()),
    written_to_disk: z.literal(false),
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(args, context) {
    const generated = await generateJobScript(context.client, {
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
      filesystems: args.filesystems,
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
        "Save it and run `qsub FILE`, or submit_job with script=<the script above> " +
        `and the same request as arguments: ${argsText}`,
        ...generated.notes,
      ].join("\n"),
    };
  },
});
