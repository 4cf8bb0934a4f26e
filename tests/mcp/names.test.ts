/**
 * Every tool and parameter name the server sends a model to exists, in the
 * mode the server runs in: tool descriptions and parameter descriptions,
 * server instructions, prompt texts, resource pages, diagnoses, error hints
 * (the catalogue's, over every captured PBS failure) all name only tools
 * this server registers, with parameters those tools take. Read-only mode
 * registers no write tool, so its texts must not send the model to one.
 */
import type { Tool } from "@modelcontextprotocol/client";
import assert from "node:assert/strict";
import { classifyFailure } from "../../src/pbs/catalogue.ts";
import { diagnoseJob } from "../../src/service/diagnose/mod.ts";
import { golden, goldenNames } from "../golden.ts";
import { type Harness, simScript, startHarness, textOf } from "./harness.ts";
import {
  type KnownNames,
  knownNames,
  mentionsIn,
  schemaDescriptions,
  schemaNames,
} from "./mentions.ts";

interface Text {
  /** Where the text came from, for the failure message. */
  source: string;
  text: string;
  /** The tool the text belongs to (its description, its parameters'). */
  owner?: string;
}

/** PBS commands the read tools run; the others only write tools run. */
const READ_COMMANDS = new Set(["qstat", "qselect", "tracejob", "qmgr", "pbs_rstat", "pbsnodes"]);
const ALL_COMMANDS = [
  ...READ_COMMANDS,
  "qsub",
  "qdel",
  "qhold",
  "qrls",
  "qalter",
  "qmove",
  "qorder",
  "qsig",
  "qrerun",
  "qrun",
  "qmsg",
  "qterm",
  "pbs_rsub",
  "pbs_ralter",
  "pbs_rdel",
];

/** Jobs in every phase a text talks about, submitted by alice on the golden complex. */
async function jobsInEveryPhase(h: Harness): Promise<string[]> {
  const submit = async (args: Record<string, unknown>) =>
    (await h.ok<{ job_id: string }>("submit_job", {
      script: simScript({ runtime: 3000 }),
      ...args,
    }))
      .job_id;
  const files = (name: string) => ({
    output_path: h.path(`${name}.out`),
    error_path: h.path(`${name}.err`),
  });
  const blocker = await submit({ walltime: "01:00:00" });
  const running = await submit({ ...files("running") });
  const jobs = [
    blocker,
    running,
    await submit({ select: "1:ncpus=16" }),
    await submit({ hold: true }),
    await submit({ depend: `afterok:${blocker}` }),
    await submit({ queue: "stopped" }),
    await submit({ script: simScript({ runtime: 5 }), ...files("ok") }),
    await submit({ script: simScript({ runtime: 5, exit: 3 }), ...files("fail") }),
    await submit({
      script: "#!/bin/bash\n#SIM runtime=600\n",
      walltime: "00:01:00",
      ...files("wall"),
    }),
    await submit({ script: simScript({ runtime: 5 }), array_range: "1-3", ...files("array") }),
  ];
  // More jobs than a list page shows: pages then say how to see the rest.
  await h.ok("submit_batch_jobs", {
    jobs: Array.from({ length: 55 }, () => ({ script: simScript({ runtime: 3000 }) })),
  });
  h.advance(30);
  await h.ok("delete_job", { job_id: running });
  h.advance(300);
  return jobs;
}

/** Every string in a structured answer (summaries, findings, next steps). */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

function toolTexts(tools: Tool[]): Text[] {
  return tools.flatMap((tool) => [
    { source: `${tool.name} description`, text: tool.description ?? "", owner: tool.name },
    ...[...schemaDescriptions(tool.inputSchema), ...schemaDescriptions(tool.outputSchema)]
      .map((text) => ({ source: `${tool.name} schema`, text, owner: tool.name })),
  ]);
}

async function promptTexts(h: Harness, jobs: string[]): Promise<Text[]> {
  const texts: Text[] = [];
  const { prompts } = await h.client.listPrompts();
  for (const prompt of prompts) {
    texts.push({ source: `prompt ${prompt.name}`, text: prompt.description ?? "" });
    for (const argument of prompt.arguments ?? []) {
      texts.push({ source: `prompt ${prompt.name}`, text: argument.description ?? "" });
    }
  }
  const calls: [string, Record<string, string>][] = [
    ...["python", "mpi", "gpu"].map((job_type): [string, Record<string, string>] => [
      "submit_job_guide",
      { job_type },
    ]),
    ["submit_job_guide", { job_type: "mpi", queue: "workq" }],
    ...jobs.map((job_id): [string, Record<string, string>] => ["diagnose_job_failure", { job_id }]),
    ["optimize_resources", { workload_description: "an MPI code on 2 nodes for an hour" }],
    ["setup_job_monitoring", { job_pattern: "STDIN" }],
    ["setup_job_monitoring", { job_pattern: "nothing_matches_this" }],
  ];
  for (const [name, args] of calls) {
    const result = await h.client.getPrompt({ name, arguments: args });
    for (const message of result.messages) {
      const content = message.content as { type: string; text?: string };
      texts.push({ source: `prompt ${name} ${JSON.stringify(args)}`, text: content.text ?? "" });
    }
  }
  return texts;
}

async function resourceTexts(h: Harness, jobs: string[]): Promise<Text[]> {
  const texts: Text[] = [];
  const { resources } = await h.client.listResources();
  const { resourceTemplates } = await h.client.listResourceTemplates();
  for (const r of [...resources, ...resourceTemplates]) {
    texts.push({ source: `resource ${r.name}`, text: r.description ?? "" });
  }
  const queues = (await h.pbs.queues()).map((q) => `pbs://queue/${q.name}`);
  const nodes = (await h.pbs.nodes()).slice(0, 2).map((n) => `pbs://node/${n.name}`);
  const uris = [
    ...resources.map((r: { uri: string }) => r.uri),
    ...jobs.map((id) => `pbs://job/${encodeURIComponent(id)}`),
    ...queues,
    ...nodes,
    "pbs://history/user/alice?days=3",
  ];
  for (const uri of new Set(uris)) {
    const result = await h.client.readResource({ uri });
    for (const content of result.contents) {
      texts.push({ source: uri, text: (content as { text?: string }).text ?? "" });
    }
  }
  return texts;
}

async function diagnosisTexts(h: Harness, jobs: string[]): Promise<Text[]> {
  const texts: Text[] = [];
  for (const job_id of jobs) {
    const result = await h.call("diagnose_job", { job_id });
    texts.push({ source: `diagnose_job ${job_id}`, text: textOf(result) });
    for (const text of stringsIn(result.structuredContent)) {
      texts.push({ source: `diagnose_job ${job_id} (structured)`, text });
    }
  }
  return texts;
}

/**
 * Diagnoses of a queued job under each kind of scheduler comment (OpenPBS's
 * fail-code texts, sched_util.c/translate_fail_code) and exit status: the
 * service writes these texts whatever the live complex happens to show.
 */
async function diagnosisRuleTexts(h: Harness, queuedJob: string): Promise<Text[]> {
  const job = await h.pbs.job(queuedJob);
  const [queues, server] = await Promise.all([h.pbs.queues(), h.pbs.server()]);
  const comments = [
    "Not Running: Queue not started.",
    "Not Running: Queue not an execution queue",
    "Not Running: Not enough free nodes available",
    "Not Running: Not enough total nodes available",
    "Not Running: Job would conflict with reservation or top job",
    "Not Running: User has reached queue workq running job limit.",
    "Not Running: Node is in an ineligible state: offline",
    "Not Running: Job will cross into primetime",
    "Not Running: Insufficient amount of resource: ncpus (R: 4 A: 2 T: 8)",
    "Can Never Run: Insufficient amount of queue resource: ncpus (R: 64 A: 8 T: 8)",
    "Can Never Run: Job would exceed server limit",
  ];
  const variants = [
    ...comments.map((comment) => ({ ...job, comment })),
    ...[0, 3, 127, 137, 139, 265, 271, -1, -11, -27, -29].map((exitStatus) => ({
      ...job,
      state: "F" as const,
      exitStatus,
    })),
  ];
  return variants.flatMap((variant) => {
    const d = diagnoseJob({
      job: variant,
      queues,
      server,
      now: h.complex.now(),
      readOnly: h.pbs.config.readOnly,
    });
    const about = variant.state === "F" ? `exit ${variant.exitStatus}` : variant.comment;
    return [d.summary, ...d.findings.map((f) => f.message), ...d.nextSteps].map((text) => ({
      source: `diagnosis of ${about}`,
      text,
    }));
  });
}

/**
 * Answers of the read tools (offered in both modes). generate_job_script's
 * answer is being rewritten elsewhere (issue 7, standalone scripts) and is
 * not collected here yet.
 */
async function answerTexts(h: Harness, jobs: string[]): Promise<Text[]> {
  const calls: [string, Record<string, unknown>][] = [
    ["list_jobs", {}],
    ["list_jobs", { include_finished: true, user_filter: "me" }],
    ["get_job_summary", {}],
    ["list_queues", {}],
    ["list_nodes", {}],
    ["get_server_info", {}],
    ["check_privileges", {}],
    ["list_reservations", {}],
    ...jobs.map((job_id): [string, Record<string, unknown>] => ["get_job_status", { job_id }]),
    ...jobs.map((job_id): [string, Record<string, unknown>] => [
      "wait_for_job",
      { job_id, timeout_seconds: 1 },
    ]),
    ...jobs.map((job_id): [string, Record<string, unknown>] => ["get_job_output", { job_id }]),
  ];
  const texts: Text[] = [];
  for (const [name, args] of calls) {
    const result = await h.call(name, args);
    texts.push({ source: `${name} ${JSON.stringify(args)}`, text: textOf(result) });
  }
  return texts;
}

/** Error answers of tools this mode offers: their hints send the model somewhere. */
async function errorTexts(h: Harness, jobs: string[], tools: Tool[]): Promise<Text[]> {
  const offered = new Set(tools.map((t) => t.name));
  const calls: [string, Record<string, unknown>][] = [
    ["get_job_status", { job_id: "99999" }],
    ["get_job_output", { job_id: jobs[2] }],
    ["get_job_output", { job_id: jobs.at(-1)! }],
    ["list_queues", { queue: "nosuch" }],
    ["diagnose_job", { job_id: "99999" }],
    ["wait_for_job", { job_id: "99999" }],
    ["release_job", { job_id: jobs[2], hold_type: "o" }],
    ["delete_job", { job_id: jobs[6] }],
    ["submit_job", { script: "#!/bin/bash\n", queue: "nosuch" }],
    ["submit_job", { script: "#!/bin/bash\n", select: "1:ncpus=64" }],
    ["modify_job", { job_id: jobs[0], select: "1:ncpus=2" }],
  ];
  const texts: Text[] = [];
  for (const [name, args] of calls.filter(([name]) => offered.has(name))) {
    const result = await h.call(name, args);
    texts.push({ source: `${name} ${JSON.stringify(args)}`, text: textOf(result) });
  }
  return texts;
}

/**
 * The catalogue's messages and hints for every captured PBS failure, and for
 * each captured error text as any PBS command would print it (hints depend
 * on the command).
 */
function catalogueTexts(readOnly: boolean): Text[] {
  const failures = goldenNames().map(golden).filter((g) => g.meta.exit_code !== 0);
  const commands = ALL_COMMANDS.filter((c) => !readOnly || READ_COMMANDS.has(c));
  const texts: Text[] = [];
  const seen = new Set<string>();
  for (const capture of failures) {
    const result = {
      code: capture.meta.exit_code,
      stdout: capture.stdout,
      stderr: capture.stderr,
      durationMs: 1,
      timedOut: false,
      truncated: false,
    };
    const argv = capture.meta.command.split(/\s+/);
    const asCaptured = READ_COMMANDS.has(argv[0]) || !readOnly ? [argv] : [];
    for (const command of [...asCaptured, ...commands.map((c) => [c, ...argv.slice(1)])]) {
      const error = classifyFailure(command, result);
      const text = error ? `${error.message}. ${error.hint}` : "";
      if (!error || seen.has(text)) continue;
      seen.add(text);
      texts.push({ source: `catalogue: ${command[0]} on ${capture.name}`, text });
    }
  }
  return texts;
}

/** Every text a server in this mode emits or registers. */
async function everyText(h: Harness, jobs: string[]): Promise<Text[]> {
  const tools = await h.tools();
  return [
    { source: "server instructions", text: h.client.getInstructions() ?? "" },
    ...toolTexts(tools),
    ...await promptTexts(h, jobs),
    ...await resourceTexts(h, jobs),
    ...await answerTexts(h, jobs),
    ...await diagnosisTexts(h, jobs),
    ...await diagnosisRuleTexts(h, jobs[2]),
    ...await errorTexts(h, jobs, tools),
    ...catalogueTexts(h.pbs.config.readOnly),
  ];
}

/** Problems with the names in `texts`, checked against the tools a server offers. */
function nameProblems(texts: Text[], tools: Tool[], names: KnownNames): string[] {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const problems = new Set<string>();
  for (const { source, text, owner } of texts) {
    for (const mention of mentionsIn(text, names, owner)) {
      const tool = byName.get(mention.tool);
      if (!tool) {
        problems.add(`${source}: names tool ${mention.tool}, which this server does not offer`);
        continue;
      }
      const known = schemaNames(tool.inputSchema);
      if (mention.tool === owner) schemaNames(tool.outputSchema, known);
      for (const parameter of mention.parameters.filter((p) => !known.has(p))) {
        problems.add(`${source}: ${mention.tool} has no parameter ${parameter}`);
      }
    }
  }
  return [...problems];
}

Deno.test("every tool and parameter a text names exists, in each mode", async (t) => {
  const h = await startHarness({ scenario: "golden" });
  const readOnly = await startHarness({
    complex: h.complex,
    outputDir: h.outputDir,
    config: { readOnly: true },
  });
  try {
    const jobs = await jobsInEveryPhase(h);
    const allTools = await h.tools();
    const names = knownNames(allTools);

    for (const [mode, server] of [["default", h], ["read-only", readOnly]] as const) {
      await t.step(`${mode} mode`, async () => {
        const texts = await everyText(server, jobs);
        assert.ok(texts.length > 100, `only ${texts.length} texts collected`);
        const problems = nameProblems(texts, await server.tools(), names);
        assert.deepEqual(problems, [], problems.join("\n"));
      });
    }
  } finally {
    await readOnly.close();
    await h.close();
  }
});

Deno.test("the name check catches what it is for", async (t) => {
  const tools = [
    {
      name: "list_jobs",
      inputSchema: { type: "object", properties: { user_filter: {}, state_filter: {} } },
    },
  ] as unknown as Tool[];
  const names = {
    fields: new Set(["user_filter", "state_filter", "hold_type", "lines"]),
    parameters: new Set(["user_filter", "state_filter", "hold_type", "user"]),
  };
  const check = (text: string, owner?: string) =>
    nameProblems([{ source: "t", text, owner }], tools, names);

  await t.step("a tool that does not exist", () => {
    assert.deepEqual(check("Check its state with get_job."), [
      "t: names tool get_job, which this server does not offer",
    ]);
  });
  await t.step("a parameter the tool does not take", () => {
    assert.deepEqual(check("Poll list_jobs user=me states=running every few minutes."), [
      "t: list_jobs has no parameter user",
      "t: list_jobs has no parameter states",
    ]);
  });
  await t.step("real names, field names and assignments after the sentence pass", () => {
    assert.deepEqual(
      check("Use list_jobs user_filter=me. Then hold_type: u, select=2:ncpus=4."),
      [],
    );
  });
  await t.step("a description's own parameters belong to its tool", () => {
    assert.deepEqual(check("state_filter: running; user: me; lines: prose", "list_jobs"), [
      "t: list_jobs has no parameter user",
    ]);
  });
});
