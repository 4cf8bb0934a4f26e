/**
 * Resource subscriptions through the SDK client on the simulator: a client
 * subscribed to pbs://job/{id} is told when the job changes state, and only
 * then; the watch reads one job table per poll however many jobs it follows,
 * and ends on unsubscribe and on close. Polls are driven by a manual ticker,
 * the simulated clock by `advance`.
 */
import assert from "node:assert/strict";
import { ManualTicker, updates } from "./watch_support.ts";
import { type Harness, simScript, startHarness } from "./harness.ts";

/** One round trip: notifications sent before it have arrived after it. */
async function settle(h: Harness): Promise<void> {
  // 2026-07-28 has no ping; any request makes the round trip.
  if (h.client.getProtocolEra() === "modern") await h.client.listPrompts();
  else await h.client.ping();
}

async function submit(h: Harness, runtime: number, args: Record<string, unknown> = {}) {
  const out = await h.ok<{ job_id: string }>("submit_job", {
    script: simScript({ runtime }),
    ...args,
  });
  return out.job_id;
}

function qstatCount(h: Harness): number {
  return h.runner.runCounts()["qstat"] ?? 0;
}

Deno.test("resource subscriptions (2025-11-25)", async (t) => {
  const ticker = new ManualTicker();
  const h = await startHarness({ server: { ticker } });
  try {
    const received = updates(h.client);

    await t.step("the server declares resources.subscribe", () => {
      assert.equal(h.client.getServerCapabilities()?.resources?.subscribe, true);
    });

    await t.step("Q → R → F: one notification per change, none while unchanged", async () => {
      // A job holding every CPU node keeps the next one queued until it ends.
      await submit(h, 100, { select: "4:ncpus=8" });
      const id = await submit(h, 120, { select: "4:ncpus=8" });
      assert.equal((await h.pbs.job(id)).state, "Q");
      const uri = `pbs://job/${id}`;
      await h.client.subscribeResource({ uri });
      assert.equal(ticker.armed, 1, "subscribing arms the watch");
      assert.deepEqual(ticker.intervals, [30_000], "the default interval is 30 s");

      h.advance(30);
      await ticker.tick();
      await settle(h);
      assert.deepEqual(received, [], "a job that stays queued is not reported");

      h.advance(80);
      assert.equal((await h.pbs.job(id)).state, "R", "the sim started it when the first ended");
      await ticker.tick();
      await settle(h);
      assert.deepEqual(received, [uri], "Q → R is reported once");

      await ticker.tick();
      await settle(h);
      assert.deepEqual(received, [uri], "a running job that keeps running is not reported");

      h.advance(200);
      assert.equal((await h.pbs.job(id)).state, "F");
      await ticker.tick();
      await settle(h);
      assert.deepEqual(received, [uri, uri], "R → F is reported");

      // Reading the resource after the notification shows the new state.
      const page = await h.client.readResource({ uri });
      assert.match((page.contents[0] as { text: string }).text, /F|finished/i);
      await h.client.unsubscribeResource({ uri });
      received.length = 0;
    });

    await t.step("no notification after unsubscribing, and the timer stops", async () => {
      const id = await submit(h, 60, { hold: true });
      const uri = `pbs://job/${id}`;
      await h.client.subscribeResource({ uri });
      assert.equal(ticker.armed, 1);
      await h.client.unsubscribeResource({ uri });
      assert.equal(ticker.armed, 0, "nothing watched, nothing polled");
      await h.ok("release_job", { job_id: id });
      h.advance(10);
      await ticker.tick();
      await settle(h);
      assert.deepEqual(received, []);
    });

    await t.step("many subscribed jobs cost one qstat per poll", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(await submit(h, 100 + i, { hold: true }));
      for (const id of ids) await h.client.subscribeResource({ uri: `pbs://job/${id}` });
      for (const id of ids.slice(0, 5)) await h.ok("release_job", { job_id: id });
      h.advance(5);
      const before = qstatCount(h);
      await ticker.tick();
      assert.equal(qstatCount(h) - before, 1, "one table read for twelve jobs");
      await settle(h);
      assert.deepEqual(
        [...received].sort(),
        ids.slice(0, 5).map((id) => `pbs://job/${id}`).sort(),
        "exactly the released jobs are reported",
      );
      received.length = 0;
      for (const id of ids) await h.client.unsubscribeResource({ uri: `pbs://job/${id}` });
      for (const id of ids.slice(5)) await h.ok("delete_job", { job_id: id });
    });

    await t.step("subscribing to what cannot be watched is a clear error", async () => {
      await assert.rejects(
        h.client.subscribeResource({ uri: "pbs://queue/workq" }),
        /only job resources can be subscribed to/i,
      );
      await assert.rejects(
        h.client.subscribeResource({ uri: "pbs://job/99999" }),
        /unknown_job|Unknown Job/i,
      );
      assert.equal(ticker.armed, 0, "a failed subscription arms nothing");
    });

    await t.step("closing the connection ends the watch", async () => {
      const id = await submit(h, 60, { hold: true });
      await h.client.subscribeResource({ uri: `pbs://job/${id}` });
      assert.equal(ticker.armed, 1);
      await h.close();
      assert.equal(ticker.armed, 0, "the server's close stopped the watch");
    });
  } finally {
    await h.close().catch(() => {});
  }
});

Deno.test("another user's job is watched through that user's table", async () => {
  const ticker = new ManualTicker();
  const alice = await startHarness({ server: { ticker } });
  const bob = await alice.as("bob");
  try {
    const received = updates(alice.client);
    const theirs = (await bob.ok<{ job_id: string }>("submit_job", {
      script: simScript({ runtime: 60 }),
      hold: true,
    })).job_id;
    const mine = await submit(alice, 60, { hold: true });
    await alice.client.subscribeResource({ uri: `pbs://job/${theirs}` });
    await alice.client.subscribeResource({ uri: `pbs://job/${mine}` });
    await bob.ok("release_job", { job_id: theirs });
    alice.advance(5);
    const before = qstatCount(alice);
    await ticker.tick();
    assert.equal(qstatCount(alice) - before, 2, "one table per owner");
    await settle(alice);
    assert.deepEqual(received, [`pbs://job/${theirs}`]);
  } finally {
    await bob.close();
    await alice.close();
  }
});

Deno.test("a job that leaves PBS is reported once, then forgotten", async () => {
  const ticker = new ManualTicker();
  const h = await startHarness({ server: { ticker } });
  try {
    const received = updates(h.client);
    const id = await submit(h, 60, { hold: true });
    const uri = `pbs://job/${id}`;
    await h.client.subscribeResource({ uri });
    // qdel -x of a queued job removes it, history included (delete_job purge).
    await h.ok("delete_job", { job_id: id, purge_history: true });
    await ticker.tick();
    await settle(h);
    assert.deepEqual(received, [uri]);
    assert.equal(ticker.armed, 0, "a job gone from PBS is no longer watched");
  } finally {
    await h.close();
  }
});

Deno.test("2026-07-28: a listen stream hears of its jobs' changes", async (t) => {
  const ticker = new ManualTicker();
  const h = await startHarness({ era: "modern", server: { ticker } });
  try {
    const received = updates(h.client);
    const held = await submit(h, 60, { hold: true });
    const other = await submit(h, 60, { hold: true });
    const uri = `pbs://job/${held}`;

    const subscription = await h.client.listen({ resourceSubscriptions: [uri] });
    await t.step("the server honours the job URI", () => {
      assert.equal(h.client.getServerCapabilities()?.resources?.subscribe, true);
      assert.deepEqual(subscription.honoredFilter.resourceSubscriptions, [uri]);
    });

    await t.step("a change of the job is delivered on the stream, others are not", async () => {
      // The watch reads the job once when the stream opens.
      for (let i = 0; i < 20 && !ticker.armed; i++) await settle(h);
      assert.equal(ticker.armed, 1);
      await h.ok("release_job", { job_id: held });
      await h.ok("release_job", { job_id: other });
      h.advance(5);
      const before = qstatCount(h);
      await ticker.tick();
      assert.equal(qstatCount(h) - before, 1);
      await settle(h);
      assert.deepEqual(received, [uri]);
    });

    await t.step("a job PBS does not know is reported at once", async () => {
      const unknown = "pbs://job/99999";
      const stream = await h.client.listen({ resourceSubscriptions: [unknown] });
      for (let i = 0; i < 20 && !received.includes(unknown); i++) await settle(h);
      assert.deepEqual(received, [uri, unknown]);
      await assert.rejects(h.client.readResource({ uri: unknown }), /unknown_job|Unknown Job/i);
      await stream.close();
      received.length = 1;
    });

    await t.step("closing the stream ends the watch", async () => {
      await subscription.close();
      await settle(h);
      assert.equal(ticker.armed, 0);
      h.advance(200);
      await ticker.tick();
      await settle(h);
      assert.deepEqual(received, [uri]);
    });
  } finally {
    await h.close();
  }
});
