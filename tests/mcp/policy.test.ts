/**
 * Issue #8's policy through an MCP client on the simulator: which tools a
 * mode offers, confirmation of destructive actions, limits, and the audit log.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { silentLogger } from "../../src/mcp/logger.ts";
import { createMcpServer } from "../../src/mcp/server.ts";
import { TOOL_INVENTORY } from "../../src/mcp/tools/inventory.ts";
import type { Runner } from "../../src/pbs/runner.ts";
import { loadConfig } from "../../src/service/config.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { type Harness, type HarnessOptions, simScript, startHarness } from "./harness.ts";

async function withHarness(options: HarnessOptions, body: (h: Harness) => Promise<void>) {
  const h = await startHarness(options);
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

async function auditLines(h: Harness): Promise<Record<string, unknown>[]> {
  try {
    const text = await Deno.readTextFile(h.path("audit.jsonl"));
    return text.trim().split("\n").filter((l) => l).map((l) => JSON.parse(l));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** Submits a job and lets it start; returns its id. */
async function runningJob(h: Harness): Promise<string> {
  const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
    script: simScript({ runtime: 3600 }),
  });
  h.advance(60);
  const status = await h.ok<{ state: string }>("get_job_status", { job_id });
  assert.equal(status.state, "R", "the job should be running");
  return job_id;
}

const namesOf = (tools: { name: string }[]) => tools.map((t) => t.name).sort();

Deno.test("tool selection: read-only, toolsets, exclusions", async (t) => {
  const expected = (keep: (e: typeof TOOL_INVENTORY[number]) => boolean) =>
    TOOL_INVENTORY.filter(keep).map((e) => e.tool.name).sort();

  await t.step("toolsets jobs,cluster with delete_job excluded", async () => {
    await withHarness(
      { config: { toolsets: ["jobs", "cluster"], excludeTools: ["delete_job"] } },
      async (h) => {
        assert.deepEqual(
          namesOf(await h.tools()),
          // get_allocation: not offered without a site profile's allocation command.
          expected((e) =>
            ["jobs", "cluster"].includes(e.toolset) && e.tool.name !== "delete_job" &&
            e.needs === undefined
          ),
        );
        assert.ok(!namesOf(await h.tools()).includes("generate_job_script"));
      },
    );
  });

  await t.step("read-only and one toolset", async () => {
    await withHarness({ config: { readOnly: true, toolsets: ["reservations"] } }, async (h) => {
      assert.deepEqual(namesOf(await h.tools()), ["list_reservations"]);
    });
  });

  await t.step("an unknown toolset or tool is refused with the valid names", async () => {
    await assert.rejects(
      startHarness({ config: { toolsets: ["jobz"] } }),
      /unknown toolset "jobz"; toolsets are jobs, cluster, reservations, scripts/,
    );
    await assert.rejects(
      startHarness({ config: { excludeTools: ["delete_jobs"] } }),
      /unknown tool "delete_jobs"; tools are submit_job/,
    );
  });
});

// 2025 clients are asked with a server-to-client elicitation request; 2026-07-28
// clients get an input-required result and retry the call with the answer.
for (const era of ["legacy", "modern"] as const) {
  Deno.test(`confirmation of destructive actions (${era} client)`, async (t) => {
    await t.step("a confirming client lets delete_job kill a running job", async () => {
      const asked: string[] = [];
      await withHarness({
        era,
        elicit: (message) => {
          asked.push(message);
          return { action: "accept", content: { confirm: true } };
        },
      }, async (h) => {
        const id = await runningJob(h);
        const result = await h.call("delete_job", { job_id: id });
        assert.ok(!result.isError);
        assert.equal(asked.length, 1);
        assert.match(asked[0], new RegExp(`Kill running job ${id.replace(/[.[\]]/g, "\\$&")}`));
        const structured = result.structuredContent as { confirmation: { outcome: string } };
        assert.equal(structured.confirmation.outcome, "confirmed");
        assert.match((result.content as { text: string }[])[0].text, /Confirmed by the user/);
        const lines = (await auditLines(h)).filter((l) => l.tool === "delete_job");
        assert.equal(lines.length, 1, "one audit line, however many rounds the question took");
        const [line] = lines;
        assert.equal(line.confirmation, "confirmed");
        const commands = line.commands as { argv: string[]; exit_code: number }[];
        assert.deepEqual(commands.find((c) => c.argv[0] === "qdel"), {
          argv: ["qdel", id],
          exit_code: 0,
        });
      });
    });

    await t.step("a declining client leaves the job untouched", async () => {
      await withHarness({
        era,
        elicit: () => ({ action: "accept", content: { confirm: false } }),
      }, async (h) => {
        const id = await runningJob(h);
        const failure = await h.fail("delete_job", { job_id: id });
        assert.equal(failure.error?.kind, "not_confirmed");
        assert.match(failure.text, /declined.*nothing was changed/s);
        h.advance(1);
        assert.equal((await h.ok<{ state: string }>("get_job_status", { job_id: id })).state, "R");
        const [line] = (await auditLines(h)).filter((l) => l.tool === "delete_job");
        assert.equal(line.confirmation, "declined");
        assert.deepEqual(line.commands, []);
        assert.equal(line.result, "error");
      });
    });

    await t.step("a client whose user says no leaves the job untouched", async () => {
      await withHarness({
        era,
        elicit: () => ({ action: "decline" }),
      }, async (h) => {
        const id = await runningJob(h);
        const failure = await h.fail("delete_job", { job_id: id });
        assert.equal(failure.error?.kind, "not_confirmed");
        assert.equal((await h.ok<{ state: string }>("get_job_status", { job_id: id })).state, "R");
        const lines = (await auditLines(h)).filter((l) => l.tool === "delete_job");
        assert.equal(lines.length, 1);
        assert.equal(lines[0].confirmation, "declined");
      });
    });

    await t.step("a queued job is deleted without asking", async () => {
      const asked: string[] = [];
      await withHarness({
        era,
        elicit: (message) => {
          asked.push(message);
          return { action: "decline" };
        },
      }, async (h) => {
        const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
          script: simScript(),
          hold: true,
        });
        await h.ok("delete_job", { job_id });
        assert.deepEqual(asked, []);
      });
    });

    await t.step("elicit with a client that cannot ask: done, recorded unconfirmed", async () => {
      await withHarness({ era }, async (h) => {
        const id = await runningJob(h);
        const result = await h.call("delete_job", { job_id: id });
        assert.ok(!result.isError);
        assert.match((result.content as { text: string }[])[0].text, /without confirmation/);
        const [line] = (await auditLines(h)).filter((l) => l.tool === "delete_job");
        assert.equal(line.confirmation, "unconfirmed");
      });
    });

    await t.step("require with a client that cannot ask: refused, job untouched", async () => {
      await withHarness({ era, config: { confirm: "require" } }, async (h) => {
        const id = await runningJob(h);
        const failure = await h.fail("delete_job", { job_id: id });
        assert.equal(failure.error?.kind, "not_confirmed");
        assert.match(failure.text, /cannot ask/);
        assert.equal((await h.ok<{ state: string }>("get_job_status", { job_id: id })).state, "R");
        const [line] = (await auditLines(h)).filter((l) => l.tool === "delete_job");
        assert.equal(line.confirmation, "refused");
      });
    });

    await t.step("never: nobody is asked", async () => {
      const asked: string[] = [];
      await withHarness({
        era,
        config: { confirm: "never" },
        elicit: (message) => {
          asked.push(message);
          return { action: "decline" };
        },
      }, async (h) => {
        await h.ok("delete_job", { job_id: await runningJob(h) });
        assert.deepEqual(asked, []);
      });
    });
  });
}

Deno.test("limits", async (t) => {
  await t.step("a flood of submissions is cut at the configured rate", async () => {
    const base = loadConfig({});
    await withHarness({
      config: { limits: { ...base.limits, maxSubmitsPerMinute: 3 } },
    }, async (h) => {
      for (let i = 0; i < 3; i++) await h.ok("submit_job", { script: simScript() });
      const before = h.complex.listJobs().length;
      const failure = await h.fail("submit_job", { script: simScript() });
      assert.equal(failure.error?.kind, "limit_exceeded");
      assert.match(failure.text, /PBS_MCP_MAX_SUBMITS_PER_MINUTE/);
      assert.equal(h.complex.listJobs().length, before, "no job was submitted");
      // Dry runs submit nothing and are not counted.
      await h.ok("submit_job", { script: simScript(), dry_run: true });
    });
  });

  await t.step("batch size, nodes and walltime caps name their variable", async () => {
    const base = loadConfig({});
    await withHarness({
      config: {
        limits: { ...base.limits, maxBatchJobs: 2, maxNodesPerJob: 1, maxWalltimeSeconds: 600 },
      },
    }, async (h) => {
      const jobs = [1, 2, 3].map(() => ({ script: simScript() }));
      const batch = await h.fail("submit_batch_jobs", { jobs });
      assert.match(batch.text, /PBS_MCP_MAX_BATCH_JOBS/);
      const nodes = await h.fail("submit_job", { script: simScript(), node_count: 2 });
      assert.match(nodes.text, /PBS_MCP_MAX_NODES/);
      const select = await h.fail("submit_job", { script: simScript(), select: "3:ncpus=1" });
      assert.match(select.text, /PBS_MCP_MAX_NODES/);
      const wall = await h.fail("submit_job", { script: simScript(), walltime: "01:00:00" });
      assert.match(wall.text, /PBS_MCP_MAX_WALLTIME/);
    });
  });

  await t.step("50 status calls at once run at most 4 PBS commands at a time", async () => {
    const complex = createScenario("polaris", { seed: 1 });
    const sim = new SimRunner({ complex, user: "alice" });
    let running = 0;
    let peak = 0;
    const slow: Runner = {
      async run(argv, options) {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        try {
          return await sim.run(argv, options);
        } finally {
          running--;
        }
      },
    };
    const pbs = new PbsClient({
      runner: slow,
      user: "alice",
      config: { ...loadConfig({}), cacheTtlMs: 0 },
    });
    const client = new Client({ name: "t", version: "1" });
    const [a, b] = InMemoryTransport.createLinkedPair();
    const server = createMcpServer(pbs, silentLogger);
    await server.connect(b);
    await client.connect(a);
    try {
      const ids = complex.listJobs().slice(0, 50).map((j) => j.id);
      assert.ok(ids.length >= 10, "the scenario has jobs to ask about");
      const calls = Array.from(
        { length: 50 },
        (_, i) =>
          client.callTool({ name: "get_job_status", arguments: { job_id: ids[i % ids.length] } }),
      );
      const results = await Promise.all(calls);
      assert.ok(results.every((r: { isError?: unknown }) => !r.isError));
      assert.equal(peak, 4);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

Deno.test("audit log", async (t) => {
  await t.step("every mutating call leaves exactly one line; reads leave none", async () => {
    await withHarness({}, async (h) => {
      const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
        script: simScript(),
        hold: true,
        env: { API_TOKEN: "s3cr3t-value" },
      });
      await h.ok("release_job", { job_id });
      await h.ok("hold_job", { job_id });
      await h.ok("get_job_status", { job_id });
      await h.ok("list_jobs", {});
      await h.fail("release_job", { job_id: "999999" });
      const lines = await auditLines(h);
      assert.deepEqual(lines.map((l) => l.tool), [
        "submit_job",
        "release_job",
        "hold_job",
        "release_job",
      ]);
      const [submit] = lines;
      assert.equal(submit.caller, "alice");
      assert.deepEqual(submit.job_ids, [job_id]);
      assert.equal(submit.result, "ok");
      assert.ok(
        (submit.commands as { argv: string[]; exit_code: number }[])
          .some((c) => c.argv[0] === "qsub" && c.exit_code === 0),
      );
      const raw = await Deno.readTextFile(h.path("audit.jsonl"));
      assert.ok(!raw.includes("s3cr3t-value"), "secrets never reach the audit file");
      assert.equal(lines[3].result, "error");
    });
  });

  await t.step("an unwritable audit log blocks the action and says how to fix it", async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(join(dir, "file"), "not a directory");
      await withHarness({ config: { auditLog: join(dir, "file", "audit.jsonl") } }, async (h) => {
        const before = h.complex.listJobs().length;
        const failure = await h.fail("submit_job", { script: simScript() });
        assert.equal(failure.error?.kind, "audit_unavailable");
        assert.match(failure.text, /PBS_MCP_AUDIT_LOG/);
        assert.equal(h.complex.listJobs().length, before, "nothing was submitted");
        await h.ok("list_jobs", {}); // reads still work
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("README's tool table lists every tool with its toolset and kind", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const rows = [...readme.matchAll(/^\| `([a-z_]+)` +\| (\w+) +\| (\w+) +\|$/gm)]
    .map(([, name, toolset, kind]) => ({ name, toolset, kind }));
  assert.deepEqual(
    rows,
    TOOL_INVENTORY.map((e) => ({ name: e.tool.name, toolset: e.toolset, kind: e.kind })),
  );
});

Deno.test("logs never carry secrets", async () => {
  const { createLogger } = await import("../../src/mcp/logger.ts");
  const lines: string[] = [];
  const logger = createLogger("debug", (line) => lines.push(line));
  logger.info("qsub -v API_TOKEN=abc123", { argv: ["--password", "hunter2"], DB_PASSWORD: "x" });
  assert.equal(lines.length, 1);
  assert.ok(!/abc123|hunter2|"x"/.test(lines[0]), lines[0]);
});

Deno.test("secrets are masked in answers unless reveal_secrets is set", async (t) => {
  await withHarness({}, async (h) => {
    const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
      script: simScript(),
      hold: true,
      env: { API_TOKEN: "tok-12345-secret", COLOR: "blue" },
    });
    await t.step("masked by default, in text and structuredContent", async () => {
      const result = await h.call("get_job_status", { job_id, detail: "full" });
      assert.ok(!result.isError);
      const all = JSON.stringify(result);
      assert.ok(!all.includes("tok-12345-secret"), "the token is masked");
      assert.ok(all.includes("API_TOKEN"), "the variable itself is still listed");
      assert.ok(all.includes("blue"), "ordinary values are shown");
    });
    await t.step("job output: masked, then shown in both halves with reveal_secrets", async () => {
      const output_path = h.path("secret.out");
      const { job_id: id } = await h.ok<{ job_id: string }>("submit_job", {
        script: simScript({ runtime: 10, echo: ["DB_PASSWORD=hunter2-xyz", "done"] }),
        output_path,
      });
      await h.ok("wait_for_job", { job_id: id, timeout_seconds: 600 });
      const masked = await h.call("get_job_output", { job_id: id });
      assert.ok(!masked.isError, JSON.stringify(masked.content));
      assert.ok(!JSON.stringify(masked).includes("hunter2-xyz"));
      assert.ok(JSON.stringify(masked.content).includes("DB_PASSWORD=[REDACTED]"));
      const shown = await h.call("get_job_output", { job_id: id, reveal_secrets: true });
      assert.ok(JSON.stringify(shown.structuredContent).includes("hunter2-xyz"));
      assert.ok(JSON.stringify(shown.content).includes("hunter2-xyz"));
    });
  });
});

Deno.test("a rollback that deletes several jobs asks first", async (t) => {
  const pipeline = {
    jobs: [
      { key: "a", script: simScript() },
      { key: "b", script: simScript() },
      { key: "c", script: simScript(), queue: "nosuchqueue" },
    ],
    dependency_graph: {
      b: [{ on: "a", type: "afterok" }],
      c: [{ on: "b", type: "afterok" }],
    },
  };
  const liveIds = (h: Harness) =>
    h.complex.listJobs().filter((j) => j.state !== "F").map((j) => j.id);

  await t.step("declined: the submitted jobs stay, and the answer says so", async () => {
    const asked: string[] = [];
    await withHarness({
      elicit: (message) => {
        asked.push(message);
        return { action: "decline" };
      },
    }, async (h) => {
      const out = await h.ok<
        { ok: boolean; rollback_declined?: boolean; job_ids: Record<string, string> }
      >("submit_dependent_jobs", pipeline);
      assert.equal(out.ok, false);
      assert.equal(out.rollback_declined, true);
      assert.equal(asked.length, 1);
      assert.match(asked[0], /delete the 2 jobs of this pipeline/);
      const live = liveIds(h);
      assert.ok(live.includes(out.job_ids.a) && live.includes(out.job_ids.b));
      const [line] = (await auditLines(h)).filter((l) => l.tool === "submit_dependent_jobs");
      assert.equal(line.confirmation, "declined");
    });
  });

  await t.step("confirmed: both are deleted", async () => {
    await withHarness({
      elicit: () => ({ action: "accept", content: { confirm: true } }),
    }, async (h) => {
      const before = liveIds(h);
      const failure = await h.fail("submit_dependent_jobs", pipeline);
      assert.match(failure.error!.message, /rolled back/);
      h.advance(10);
      assert.deepEqual(liveIds(h), before);
      const [line] = (await auditLines(h)).filter((l) => l.tool === "submit_dependent_jobs");
      assert.equal(line.confirmation, "confirmed");
      const qdels = (line.commands as { argv: string[] }[]).filter((c) => c.argv[0] === "qdel");
      assert.equal(qdels.length, 2);
    });
  });

  await t.step("a 2026-07-28 call cannot stop to ask: as a client that cannot ask", async () => {
    const asked: string[] = [];
    await withHarness({
      era: "modern",
      elicit: (message) => {
        asked.push(message);
        return { action: "accept", content: { confirm: true } };
      },
    }, async (h) => {
      const before = liveIds(h);
      const failure = await h.fail("submit_dependent_jobs", pipeline);
      assert.match(failure.error!.message, /rolled back/);
      assert.deepEqual(asked, [], "no input-required round: it would submit everything again");
      h.advance(10);
      assert.deepEqual(liveIds(h), before);
      const [line] = (await auditLines(h)).filter((l) => l.tool === "submit_dependent_jobs");
      assert.equal(line.confirmation, "unconfirmed");
      const argvs = (line.commands as { argv: string[] }[]).map((c) => c.argv[0]);
      assert.equal(argvs.filter((a) => a === "qsub").length, 3, "each job submitted once");
    });
  });
});
