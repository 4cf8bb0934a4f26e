/**
 * One server, two simulated clusters (tiny as the default, golden as
 * "second"), through the SDK client: every tool takes `cluster` and goes to
 * the one named, answers name their cluster, list_clusters shows both,
 * resources and subscriptions name another cluster with `?cluster=NAME`, and
 * the audit log says which cluster a change was made on.
 */
import assert from "node:assert/strict";
import { ManualTicker, updates } from "./watch_support.ts";
import { type Harness, simScript, startHarness, textOf } from "./harness.ts";

async function readText(h: Harness, uri: string): Promise<string> {
  const result = await h.client.readResource({ uri });
  return (result.contents[0] as { text: string }).text;
}

Deno.test("two clusters served at once", async (t) => {
  const ticker = new ManualTicker();
  const h = await startHarness({
    scenario: "tiny",
    others: [{ name: "second", scenario: "golden" }],
    server: { ticker },
  });
  const tiny = h.clusters.tiny.complex;
  const second = h.clusters.second.complex;
  try {
    await t.step("every tool but list_clusters takes cluster, an enum of the names", async () => {
      for (const tool of await h.tools()) {
        const cluster = tool.inputSchema.properties?.cluster as { enum?: string[] } | undefined;
        if (tool.name === "list_clusters") {
          assert.equal(cluster, undefined);
          continue;
        }
        assert.deepEqual(cluster?.enum, ["tiny", "second"], tool.name);
        assert.ok(!tool.inputSchema.required?.includes("cluster"), `${tool.name}: optional`);
      }
    });

    let secondJob = "";
    await t.step("a submission goes to the cluster named, and only there", async () => {
      const beforeTiny = tiny.listJobs().length;
      const out = await h.ok<{ job_id: string; cluster: string }>("submit_job", {
        script: simScript({ runtime: 600 }),
        job_name: "on_second",
        cluster: "second",
      });
      secondJob = out.job_id;
      assert.equal(out.cluster, "second");
      assert.ok(second.listJobs().some((j) => j.id === secondJob), "golden holds the job");
      assert.equal(tiny.listJobs().length, beforeTiny, "tiny got nothing");
      const status = await h.call("get_job_status", { job_id: secondJob, cluster: "second" });
      assert.match(textOf(status), new RegExp(`^\\[second\\] .*${secondJob.replace(".", "\\.")}`));
      // The default cluster does not know it (golden's server is not tiny's).
      const there = await h.fail("get_job_status", { job_id: secondJob });
      assert.match(there.text, /^\[tiny\] Error \((unknown_job|illegal_value)\)/);
      assert.equal((there.error as { cluster?: string }).cluster, "tiny", "and in _meta");
    });

    await t.step("a cursor pages the cluster it came from, and only that one", async () => {
      await h.ok("submit_job", { script: simScript(), hold: true, cluster: "second" });
      const first = await h.call("list_jobs", { cluster: "second", limit: 1 });
      const cursor = (first.structuredContent as { next_cursor?: string }).next_cursor;
      assert.ok(cursor?.startsWith("second:"), `cursor ${cursor}`);
      assert.ok(textOf(first).includes(`"${cursor}"`), "the text quotes the same cursor");
      const elsewhere = await h.fail("list_jobs", { limit: 1, cursor });
      assert.match(
        elsewhere.text,
        /^\[tiny\] Error \(invalid_input\): cursor was issued for cluster second/,
      );
      const next = await h.ok<{ jobs: Array<{ id: string }> }>("list_jobs", {
        cluster: "second",
        limit: 1,
        cursor,
      });
      const firstId = (first.structuredContent as { jobs: Array<{ id: string }> }).jobs[0].id;
      assert.notEqual(next.jobs[0].id, firstId, "the second page follows the first");
      assert.ok(second.listJobs().some((j) => j.id === next.jobs[0].id), "a job of second");
    });

    await t.step("a name the server does not serve is refused by the schema", async () => {
      const result = await h.call("list_jobs", { cluster: "nosuch" });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /cluster/);
    });

    await t.step("list_clusters: both reachable, with version, user and role", async () => {
      const { clusters } = await h.ok<{
        clusters: Array<{
          name: string;
          default: boolean;
          reachable: boolean;
          pbs_version?: string;
          user: string;
          role?: string;
        }>;
      }>("list_clusters");
      assert.deepEqual(clusters.map((c) => [c.name, c.default, c.reachable]), [
        ["tiny", true, true],
        ["second", false, true],
      ]);
      for (const c of clusters) {
        assert.equal(c.user, "alice");
        assert.equal(c.role, "user");
        assert.match(c.pbs_version ?? "", /^\d+\.\d+/);
      }
    });

    await t.step("resources: ?cluster=NAME reads another cluster; pages name theirs", async () => {
      const job = await readText(h, `pbs://job/${secondJob}?cluster=second`);
      assert.match(job, /^Cluster: second\n\n# Job /);
      await assert.rejects(h.client.readResource({ uri: `pbs://job/${secondJob}` }));
      const status = await readText(h, "pbs://system/status?cluster=second");
      assert.match(status, /^Cluster: second\n\n# PBS system status/);
      const home = await readText(h, "pbs://system/status");
      assert.match(home, /^Cluster: tiny\n/);
      const mine = await readText(h, "pbs://user/jobs?cluster=second");
      assert.ok(mine.includes(secondJob));
      const history = await readText(h, "pbs://history/user/alice?days=2&cluster=second");
      assert.match(history, /^Cluster: second\n/);
      await assert.rejects(
        h.client.readResource({ uri: "pbs://system/status?cluster=nosuch" }),
        /no cluster named "nosuch"/,
      );
      // Each template is also listed with cluster in its query, and completes from that cluster.
      const templates = (await h.client.listResourceTemplates()).resourceTemplates
        .map((t) => t.uriTemplate);
      for (
        const t of [
          "pbs://job/{job_id}{?cluster}",
          "pbs://queue/{queue_name}{?cluster}",
          "pbs://history/user/{username}{?days,cluster}",
          "pbs://system/status{?cluster}",
        ]
      ) assert.ok(templates.includes(t), t);
      const complete = (cluster?: string) =>
        h.client.complete({
          ref: { type: "ref/resource", uri: "pbs://job/{job_id}{?cluster}" },
          argument: { name: "job_id", value: "" },
          ...(cluster ? { context: { arguments: { cluster } } } : {}),
        });
      assert.ok((await complete("second")).completion.values.includes(secondJob));
      assert.ok(!(await complete()).completion.values.includes(secondJob), "tiny's ids by default");
    });

    await t.step("prompts take cluster and read that cluster", async () => {
      const { prompts } = await h.client.listPrompts();
      for (const prompt of prompts) {
        assert.ok(prompt.arguments?.some((a) => a.name === "cluster"), prompt.name);
      }
      const result = await h.client.getPrompt({
        name: "diagnose_job_failure",
        arguments: { job_id: secondJob, cluster: "second" },
      });
      const text = (result.messages[0].content as { text: string }).text;
      assert.ok(text.includes(secondJob));
      assert.match(text, /pass cluster: "second" to every tool call/);
      await assert.rejects(
        h.client.getPrompt({ name: "diagnose_job_failure", arguments: { job_id: secondJob } }),
        "the default cluster does not know the job",
      );
    });

    await t.step("a subscription follows the job on its own cluster", async () => {
      const received = updates(h.client);
      const queued = await h.ok<{ job_id: string }>("submit_job", {
        script: simScript({ runtime: 60 }),
        hold: true,
        cluster: "second",
      });
      const uri = `pbs://job/${queued.job_id}?cluster=second`;
      await h.client.subscribeResource({ uri });
      assert.equal(ticker.armed, 1);
      await h.ok("release_job", { job_id: queued.job_id, cluster: "second" });
      second.advance(5);
      const qstats = (c: "tiny" | "second") =>
        h.clusters[c].pbs.metrics.snapshot({ hits: 0, misses: 0 }).pbsCommands.qstat?.calls ?? 0;
      const before = { tiny: qstats("tiny"), second: qstats("second") };
      await ticker.tick();
      assert.equal(qstats("tiny"), before.tiny, "the poll asked tiny nothing");
      assert.equal(qstats("second"), before.second + 1, "it read second's table once");
      await h.client.ping();
      assert.deepEqual(received, [uri]);
      await h.client.unsubscribeResource({ uri });
      await assert.rejects(
        h.client.subscribeResource({ uri: `pbs://job/${queued.job_id}` }),
        /not a valid job id|unknown/i,
        "the default cluster does not know the job",
      );
    });

    await t.step("a confirmation question names the cluster", async () => {
      const asked: string[] = [];
      const asking = await startHarness({
        scenario: "tiny",
        others: [{ name: "second", scenario: "golden" }],
        elicit: (message) => {
          asked.push(message);
          return { action: "accept", content: { confirm: true } };
        },
      });
      try {
        const { job_id } = await asking.ok<{ job_id: string }>("submit_job", {
          script: simScript({ runtime: 600 }),
          cluster: "second",
        });
        await asking.ok("delete_job", { job_id, cluster: "second" });
        assert.equal(asked.length, 1);
        assert.match(asked[0], new RegExp(`${job_id.replace(".", "\\.")}.*\\(cluster second\\)`));
      } finally {
        await asking.close();
      }
    });

    await t.step("the audit log names the cluster of each change", async () => {
      const lines = (await Deno.readTextFile(h.path("audit.jsonl"))).trim().split("\n")
        .map((line) => JSON.parse(line));
      const submit = lines.find((l) => l.tool === "submit_job" && l.job_ids.includes(secondJob));
      assert.equal(submit?.arguments.cluster, "second");
    });
  } finally {
    await h.close();
  }
});

Deno.test("get_allocation on a cluster without an allocation command names those with one", async () => {
  const h = await startHarness({
    scenario: "tiny",
    profile: "polaris",
    others: [{ name: "second", scenario: "golden" }],
  });
  try {
    await h.ok("get_allocation", {});
    const failure = await h.fail("get_allocation", { cluster: "second" });
    assert.equal(failure.error?.kind, "invalid_state");
    assert.match(failure.error?.hint ?? "", /^Clusters with one: tiny\./);
  } finally {
    await h.close();
  }
});
