/**
 * generate_job_script through the MCP client on the default `polaris`
 * complex: the script stands alone (its #PBS lines are the whole request),
 * the recommended submit_job arguments make exactly that request, and the
 * demo acceptance story (generate → submit → runs on the nodes it asked for →
 * output readable) works end to end.
 */
import assert from "node:assert/strict";
import { type Harness, startHarness, textOf } from "./harness.ts";

interface Generated {
  script: string;
  template?: string;
  submit_arguments: Record<string, string>;
  notes: string[];
  written_to_disk: boolean;
}

interface Plan {
  command: string;
  effective: Record<string, string>;
  directives: { option: string; value: string; overridden_by?: string }[];
}

interface Status {
  id: string;
  name: string;
  state: string;
  queue: string;
  account?: string;
  requested: Record<string, string>;
  nodes?: { count: number; first: string[]; more: number };
  hosts?: string;
  attributes?: Record<string, string>;
}

/** The `#PBS -X value` lines of a script, as [option, value] pairs, in order. */
function directivesOf(script: string): [string, string][] {
  return [...script.matchAll(/^#PBS (-\w) (\S+)$/gm)].map((m) => [m[1], m[2]]);
}

/** The request the #PBS lines make, in submit_job's effective-request terms. */
function requestOf(directives: [string, string][]): Record<string, string> {
  const names: Record<string, string> = { "-N": "job_name", "-q": "queue", "-A": "account" };
  const out: Record<string, string> = {};
  for (const [option, value] of directives) {
    if (option === "-l") {
      const eq = value.indexOf("=");
      out[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (option === "-J") out.array_range = value;
    else out[names[option] ?? option] = value;
  }
  return out;
}

/** The option/value pairs of a dry run's qsub command (values here never need quoting). */
function commandPairs(command: string): [string, string][] {
  const words = command.split(" ");
  assert.equal(words[0], "qsub");
  const pairs: [string, string][] = [];
  for (let i = 1; i < words.length; i += 2) pairs.push([words[i], words[i + 1]]);
  return pairs;
}

async function generate(h: Harness, args: Record<string, unknown>): Promise<Generated> {
  return await h.ok<Generated>("generate_job_script", args);
}

Deno.test("generate_job_script: a standalone script and the same request as arguments", async (t) => {
  const h = await startHarness({ scenario: "polaris" });
  try {
    // The debug queue takes 1-2 nodes for up to an hour, which this request fits.
    const g = await generate(h, {
      application: "mpi",
      node_count: 2,
      ranks_per_node: 8,
      walltime: "00:30:00",
      queue: "debug",
      account: "demo_proj",
      job_name: "sim_run",
      filesystems: "home:eagle",
    });
    const directives = directivesOf(g.script);

    await t.step("#PBS lines carry every recommended resource", () => {
      assert.deepEqual(requestOf(directives), {
        job_name: "sim_run",
        queue: "debug",
        account: "demo_proj",
        walltime: "00:30:00",
        select: "2:ncpus=8:mpiprocs=8",
        place: "scatter",
        filesystems: "home:eagle",
      });
      assert.match(g.script, /RANKS_PER_NODE=8\n/);
      assert.equal(g.written_to_disk, false);
    });

    await t.step("submit_job with the recommended arguments asks for exactly that", async () => {
      const plan = await h.ok<Plan>("submit_job", {
        script: g.script,
        ...g.submit_arguments,
        dry_run: true,
      });
      assert.deepEqual(commandPairs(plan.command), directives);
      assert.deepEqual(plan.effective, requestOf(directives));
      // Each #PBS line is restated by an argument, none is left to say something else.
      assert.equal(plan.directives.length, directives.length);
      assert.ok(plan.directives.every((d) => d.overridden_by), JSON.stringify(plan.directives));
    });

    await t.step("the script submitted alone gets the same Resource_List", async () => {
      const { job_id } = await h.ok<{ job_id: string }>("submit_job", { script: g.script });
      const job = await h.ok<Status>("get_job_status", { job_id });
      assert.equal(job.name, "sim_run");
      assert.equal(job.queue, "debug");
      assert.equal(job.account, "demo_proj");
      assert.equal(job.requested.select, "2:ncpus=8:mpiprocs=8");
      assert.equal(job.requested.place, "scatter");
      assert.equal(job.requested.walltime, "00:30:00");
      assert.equal(job.requested.filesystems, "home:eagle");
    });

    await t.step("a template's placeholder and an array range are both in the script", async () => {
      const array = await generate(h, { application: "array", queue: "debug" });
      assert.deepEqual(directivesOf(array.script).find(([o]) => o === "-J"), ["-J", "1-10"]);
      assert.equal(array.submit_arguments.array_range, "1-10");
      const gpu = await generate(h, { application: "gpu", queue: "debug" });
      assert.ok(gpu.notes.some((n) => n.includes("./gpu_app")), gpu.notes.join("\n"));
      assert.match(gpu.submit_arguments.select, /ngpus=4:mpiprocs=4$/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("generate_job_script recommends only queues the request fits", async (t) => {
  const h = await startHarness({ scenario: "polaris" });
  try {
    const queueLine = (g: Generated) => directivesOf(g.script).find(([o]) => o === "-q")?.[1];

    await t.step("two nodes: not the default routing queue, but one that takes them", async () => {
      const g = await generate(h, { application: "mpi", node_count: 2 });
      assert.equal(g.submit_arguments.queue, "debug");
      assert.equal(queueLine(g), "debug");
      const note = g.notes.find((n) => n.startsWith("Queue debug takes this request"));
      assert.ok(note, g.notes.join("\n"));
      // Every other queue offered takes the request too; prod does not.
      assert.doesNotMatch(note, /\bprod\b/);
      assert.match(note, /debug-scaling/);
    });

    await t.step(
      "twelve nodes: the default routing queue, whose destination takes them",
      async () => {
        const g = await generate(h, { application: "mpi", node_count: 12 });
        assert.equal(queueLine(g), "prod");
        const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
          script: g.script,
          ...g.submit_arguments,
        });
        const job = await h.ok<Status>("get_job_status", { job_id });
        assert.equal(job.queue, "small", "routed, not dropped");
      },
    );

    await t.step("no queue takes it: none is written, and the note says why", async () => {
      const g = await generate(h, { application: "mpi", node_count: 600 });
      assert.equal(queueLine(g), undefined);
      assert.equal(g.submit_arguments.queue, undefined);
      const note = g.notes.find((n) => n.startsWith("No queue takes this request"));
      assert.ok(note, g.notes.join("\n"));
      assert.match(note, /debug: nodect 600 is above debug's resources_max\.nodect 2/);
      assert.match(note, /prod routes to small, medium, large/);
      assert.equal(note.split("small's resources_max").length, 2, "each queue explained once");
    });

    await t.step("a given queue that does not take it is kept, with the reason", async () => {
      const g = await generate(h, { application: "mpi", node_count: 2, queue: "prod" });
      assert.equal(queueLine(g), "prod");
      const note = g.notes.find((n) => n.startsWith("Queue prod will not take this request"));
      assert.ok(note, g.notes.join("\n"));
      assert.match(note, /small: nodect 2 is below small's resources_min\.nodect 10/);
      assert.match(note, /Queues that take it: debug, /);
      const fits = await generate(h, { application: "mpi", node_count: 2, queue: "debug" });
      assert.ok(!fits.notes.some((n) => /will not take/.test(n)), fits.notes.join("\n"));
      const unknown = await generate(h, { application: "mpi", queue: "nosuch" });
      assert.ok(unknown.notes.some((n) => /Queue nosuch does not exist/.test(n)));
    });

    await t.step("an ACL queue is offered only to users it admits, after open ones", async () => {
      // demand admits alice; bob is not on its ACL.
      const alice = await generate(h, { application: "mpi", node_count: 2 });
      const bob = await h.as("bob");
      try {
        const g = await generate(bob, { application: "mpi", node_count: 2 });
        assert.match(alice.notes.join("\n"), /\bdemand\b/);
        assert.doesNotMatch(g.notes.join("\n"), /\bdemand\b/);
      } finally {
        await bob.close();
      }
    });
  } finally {
    await h.close();
  }
});

Deno.test("generate_job_script writes the server's default account", async () => {
  const h = await startHarness({ scenario: "polaris", config: { defaultAccount: "site_proj" } });
  try {
    const g = await generate(h, { application: "hostname" });
    assert.equal(g.submit_arguments.account, "site_proj");
    assert.ok(directivesOf(g.script).some(([o, v]) => o === "-A" && v === "site_proj"));
    const own = await generate(h, { application: "hostname", account: "mine" });
    assert.equal(own.submit_arguments.account, "mine");
    assert.ok(directivesOf(own.script).some(([o, v]) => o === "-A" && v === "mine"));
  } finally {
    await h.close();
  }
});

Deno.test("generate_job_script: input that could do harm", async (t) => {
  const h = await startHarness({ scenario: "polaris" });
  try {
    const hostile = "a b; rm -rf ~ 'x'";

    await t.step("input files are quoted and cannot read as options", async () => {
      const before = [...Deno.readDirSync(h.outputDir)].length;
      const g = await generate(h, {
        application: "python3 run.py",
        input_files: [hostile, "-rf"],
        queue: "debug",
      });
      assert.ok(g.script.includes(`python3 run.py 'a b; rm -rf ~ '"'"'x'"'"'' ./-rf\n`));
      assert.equal([...Deno.readDirSync(h.outputDir)].length, before, "nothing written");
    });

    await t.step("NUL bytes are refused", async () => {
      for (
        const args of [
          { application: "echo a\0b" },
          { application: "python", input_files: ["a\0b"] },
          { application: "python", conda_env: "env\0" },
        ]
      ) {
        const failure = await h.fail("generate_job_script", args);
        assert.equal(failure.error?.kind, "invalid_input", failure.text);
        assert.match(failure.error!.message, /NUL/);
      }
    });

    await t.step("bad values are refused with a hint", async () => {
      const walltime = await h.fail("generate_job_script", {
        application: "python",
        walltime: "soon",
      });
      assert.match(walltime.text, /walltime/i);
      const module = await h.fail("generate_job_script", {
        application: "python",
        modules: ["x; rm -rf ~"],
      });
      assert.equal(module.error?.kind, "invalid_input");
      assert.match(module.error!.hint, /module avail/);
      const empty = await h.fail("generate_job_script", { application: "" });
      assert.match(empty.text, /application is empty/);
    });

    await t.step("the description says the command line is inserted as written", async () => {
      const tool = (await h.tools()).find((t) => t.name === "generate_job_script");
      assert.match(tool!.description!, /inserted as written/);
      assert.doesNotMatch(tool!.description!, /every value[^.]*quoted/i);
    });
  } finally {
    await h.close();
  }
});

Deno.test("acceptance story: generate an MPI job on two nodes, submit it, read its output", async () => {
  const h = await startHarness({ scenario: "polaris" });
  try {
    // The guide prompt pins no queue when none is named: the default (prod)
    // routes only jobs of 10+ nodes, so the generator must pick one that takes two.
    const guide = await h.client.getPrompt({
      name: "submit_job_guide",
      arguments: { job_type: "mpi" },
    });
    const guideText = (guide.messages[0].content as { text: string }).text;
    assert.match(guideText, /generate_job_script [^\n]*without queue/);
    assert.doesNotMatch(guideText, /queue="prod"/);
    const g = await generate(h, {
      application: "mpi",
      node_count: 2,
      ranks_per_node: 4,
      job_name: "story",
    });
    assert.equal(g.submit_arguments.queue, "debug");
    const submitted = await h.call("submit_job", { script: g.script, ...g.submit_arguments });
    assert.ok(!submitted.isError, textOf(submitted));
    const { job_id } = submitted.structuredContent as { job_id: string };

    const job = await h.ok<Status>("get_job_status", { job_id });
    assert.equal(job.id, job_id, "the job exists");
    assert.equal(job.queue, "debug");
    assert.equal(job.requested.select, "2:ncpus=4:mpiprocs=4");

    // Simulated time: wait_for_job advances the complex's clock while it polls.
    let state = job.state;
    for (let i = 0; i < 12 && state !== "F"; i++) {
      state = (await h.ok<{ state: string }>("wait_for_job", {
        job_id,
        until: "finished",
        timeout_seconds: 600,
      })).state;
    }
    assert.equal(state, "F");

    const done = await h.ok<Status>("get_job_status", { job_id, detail: "full" });
    const hosts = done.attributes?.exec_host?.split("+").map((part) => part.split("/")[0]);
    assert.ok(hosts, "exec_host is recorded");
    assert.equal(hosts.length, 2, done.attributes?.exec_host);
    assert.equal(new Set(hosts).size, 2, `two distinct hosts: ${done.attributes?.exec_host}`);
    assert.equal(done.nodes?.count, 2);

    const output = await h.ok<{ text: string }>("get_job_output", { job_id });
    assert.match(output.text, /Launching .* ranks on .* nodes/);
  } finally {
    await h.close();
  }
});

Deno.test("the script alone asks for distinct hosts where PBS would share one", async () => {
  // On `tiny` nodes are shared: two chunks without place=scatter can land on one host.
  const h = await startHarness({ scenario: "tiny" });
  try {
    const g = await generate(h, { application: "mpi", node_count: 2, ranks_per_node: 2 });
    const { job_id } = await h.ok<{ job_id: string }>("submit_job", { script: g.script });
    let job = await h.ok<Status>("get_job_status", { job_id, detail: "full" });
    for (let i = 0; i < 10 && job.state !== "R" && job.state !== "F"; i++) {
      h.advance(60);
      job = await h.ok<Status>("get_job_status", { job_id, detail: "full" });
    }
    const hosts = job.attributes?.exec_host?.split("+").map((part) => part.split("/")[0]);
    assert.ok(hosts, `the job ran: ${job.state}`);
    assert.equal(new Set(hosts).size, 2, job.attributes?.exec_host);
  } finally {
    await h.close();
  }
});
