/**
 * The job watch on its own: change detection over successive tables, the
 * bound on owners, the race between a poll and a new subscription, and the
 * real timer (stopped, so Deno's sanitizers see no leaked timer).
 */
import assert from "node:assert/strict";
import { isPbsError } from "../../src/pbs/errors.ts";
import type { JobStateLetter } from "../../src/pbs/model/types.ts";
import type { JobRow } from "../../src/pbs/parse/job_table.ts";
import {
  detectChanges,
  type JobChange,
  JobWatch,
  MAX_WATCHED_OWNERS,
  sequenceKey,
  type Ticker,
  timerTicker,
  type WatchedJob,
} from "../../src/service/job_watch.ts";

function row(id: string, user: string, state: JobStateLetter): JobRow {
  return {
    id,
    user,
    queue: "workq",
    name: "job",
    nameTruncated: false,
    state,
    idTruncated: false,
  } as JobRow;
}

const noTicker: Ticker = { start: () => () => {} };

Deno.test("detectChanges", async (t) => {
  const watched = new Map<string, WatchedJob>([
    ["pbs://job/1", { id: "1.srv", user: "alice", state: "Q" }],
    ["pbs://job/2", { id: "2.srv", user: "alice", state: "R" }],
    ["pbs://job/3", { id: "3.srv", user: "bob", state: "R" }],
  ]);

  await t.step("reports only the jobs whose state differs", () => {
    const tables = new Map([
      ["alice", [row("1.srv", "alice", "R"), row("2.srv", "alice", "R")]],
      ["bob", [row("3.srv", "bob", "R")]],
    ]);
    assert.deepEqual(detectChanges(watched, tables), [
      { key: "pbs://job/1", id: "1.srv", from: "Q", to: "R" },
    ]);
  });

  await t.step("a job missing from its owner's table is gone", () => {
    const tables = new Map([["alice", [row("1.srv", "alice", "Q")]], ["bob", []]]);
    assert.deepEqual(detectChanges(watched, tables).map((c) => [c.id, c.to]), [
      ["2.srv", "gone"],
      ["3.srv", "gone"],
    ]);
  });

  await t.step("an owner whose table could not be read reports nothing", () => {
    const tables = new Map([["alice", [row("1.srv", "alice", "Q"), row("2.srv", "alice", "F")]]]);
    assert.deepEqual(detectChanges(watched, tables).map((c) => c.id), ["2.srv"]);
  });

  await t.step("ids match on the sequence number (qstat -a may cut the server)", () => {
    assert.equal(sequenceKey("123[4].pbs01.example.com"), "123[4]");
    const tables = new Map([["alice", [row("1.sr", "alice", "Q"), row("2.s", "alice", "R")]]]);
    const one = new Map([...watched].filter(([, job]) => job.user === "alice"));
    assert.deepEqual(detectChanges(one, tables), []);
  });
});

Deno.test("JobWatch", async (t) => {
  const tables = new Map<string, JobRow[]>();
  const reads: string[] = [];
  const changes: JobChange[] = [];
  const watchFor = () =>
    new JobWatch({
      lookup: (id) => {
        const [seq, user] = id.split("@");
        const found = tables.get(user)?.find((r) => sequenceKey(r.id) === seq);
        if (!found) return Promise.reject(new Error(`unknown job ${id}`));
        return Promise.resolve({ id: found.id, user, state: found.state });
      },
      readTable: (user) => {
        reads.push(user);
        return Promise.resolve([...(tables.get(user) ?? [])]);
      },
      onChange: (change) => changes.push(change),
      intervalMs: 30_000,
      ticker: noTicker,
    });

  await t.step("owners are bounded: each costs a read per poll", async () => {
    const watch = watchFor();
    for (let i = 0; i <= MAX_WATCHED_OWNERS; i++) {
      tables.set(`u${i}`, [row(`${i}.srv`, `u${i}`, "Q")]);
    }
    for (let i = 0; i < MAX_WATCHED_OWNERS; i++) await watch.watch(`k${i}`, `${i}@u${i}`);
    await assert.rejects(
      watch.watch("one-more", `${MAX_WATCHED_OWNERS}@u${MAX_WATCHED_OWNERS}`),
      (error) => isPbsError(error) && error.kind === "invalid_input",
    );
    reads.length = 0;
    await watch.poll();
    assert.equal(reads.length, MAX_WATCHED_OWNERS);
    watch.stop();
    assert.equal(watch.size, 0);
  });

  await t.step("a job subscribed while a poll reads is not reported gone", async () => {
    tables.clear();
    tables.set("alice", [row("1.srv", "alice", "Q")]);
    changes.length = 0;
    const watch = watchFor();
    await watch.watch("a", "1@alice");
    const polling = watch.poll(); // reads alice's table (job 2 not in it yet)
    tables.set("alice", [row("1.srv", "alice", "Q"), row("2.srv", "alice", "Q")]);
    await watch.watch("b", "2@alice");
    await polling;
    assert.deepEqual(changes, []);
    watch.stop();
  });
});

Deno.test("timerTicker repeats until stopped, never overlapping", async () => {
  let runs = 0;
  let active = 0;
  let overlapped = false;
  let stop = () => {};
  const done = new Promise<void>((resolve) => {
    stop = timerTicker.start(1, async () => {
      active++;
      if (active > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, 3));
      active--;
      if (++runs === 3) resolve();
    });
  });
  await done;
  stop();
  assert.equal(runs, 3);
  assert.equal(overlapped, false);
});
