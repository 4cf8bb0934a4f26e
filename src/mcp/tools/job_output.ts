/** get_job_output: the tail of a job's stdout or stderr file, within the allowed directories. */
import { z } from "zod";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";

/** Bytes of output returned by default and at most: the answer carries them twice (text + data). */
const DEFAULT_OUTPUT_BYTES = 8_000;
const MAX_OUTPUT_BYTES = 10_000;

export const getJobOutput = defineTool({
  name: "get_job_output",
  title: "Read a job's output",
  description: "Returns the end of a job's stdout or stderr file, read from the path PBS records " +
    "when it lies in the allowed directories (PBS_MCP_ALLOWED_DIRS). PBS usually writes it " +
    "there when the job ends. For an array job ask for a subjob, e.g. 12[3].server.",
  input: {
    job_id: s.jobId,
    stream: z.enum(["stdout", "stderr"], {
      error: 'stream must be "stdout" (default) or "stderr".',
    }).default("stdout").describe("Which file; with join_output stderr is in stdout"),
    tail_lines: s.boundedInt("tail_lines", 1, 5_000, 100).default(100).describe(
      "Lines from the end",
    ),
    max_bytes: s.boundedInt("max_bytes", 1, MAX_OUTPUT_BYTES, DEFAULT_OUTPUT_BYTES)
      .default(DEFAULT_OUTPUT_BYTES).describe("At most this many bytes of those lines"),
  },
  output: {
    job_id: z.string(),
    stream: z.enum(["stdout", "stderr"]),
    path: z.string(),
    text: z.string(),
    lines: z.number(),
    size_bytes: z.number().describe("Whole file"),
    truncated: z.boolean(),
    joined: z.boolean().optional().describe("stderr is in stdout"),
  },
  annotations: { readOnlyHint: true },
  async run(args, context) {
    const out = await context.client.jobOutput(
      args.job_id,
      args.stream,
      args.tail_lines,
      args.max_bytes,
    );
    const structured = {
      job_id: out.jobId,
      stream: out.stream,
      path: out.path,
      text: out.text,
      lines: out.lines,
      size_bytes: out.sizeBytes,
      truncated: out.truncated,
      ...(out.joined ? { joined: true } : {}),
    };
    const header = `${out.stream} of ${out.jobId} (${out.path}, last ${out.lines} lines${
      out.truncated ? ", truncated" : ""
    }):`;
    return { structured, text: `${header}\n${out.text}` };
  },
});
