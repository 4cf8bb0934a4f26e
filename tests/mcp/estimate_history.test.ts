/**
 * How long the forecast expects jobs to run, from the history table
 * (src/service/runtime_history.ts), and what its reads cost.
 */
import assert from "node:assert/strict";
import type { JobRow } from "../../src/pbs/parse/job_table.ts";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { loadConfig } from "../../src/service/config.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { commandsRead } from "../../src/service/forecast.ts";
import { estimateStart } from "../../src/service/start_estimate.ts";
import {
  expectedFraction,
  MIN_HISTORY,
  runtimeHistory,
} from "../../src/service/runtime_history.ts";

const row = (queue: string, walltime: string, elapsed: string): JobRow => ({
  id: "1.vm",
  user: "alice",
  queue,
  name: "j",
  nameTruncated: false,
  state: "F",
  walltime,
  elapsed,
  idTruncated: false,
});

Deno.test("expected share of walltime: the mean of the finished shares above what a job has used", () => {
  // 40 jobs of 01:00 in prod ran 3, 6, ..., 60 minutes; 5 in debug (too few: overall stands in).
  const rows = Array.from({ length: 40 }, (_, i) => {
    const minutes = 3 * ((i % 20) + 1);
    return row(
      "prod",
      "01:00",
      `00:${String(minutes % 60).padStart(2, "0")}`.replace("00:00", "01:00"),
    );
  });
  rows.push(...Array.from({ length: 5 }, () => row("debug", "01:00", "00:30")));
  rows.push(row("prod", "100:0", "50:00")); // a cut walltime: left out
  const history = runtimeHistory(rows);
  assert.equal(history.all.length, 45);
  const naive = (sample: number[], done: number) => {
    const above = sample.filter((f) => f > done);
    return above.length === 0 ? 1 : above.reduce((a, b) => a + b, 0) / above.length;
  };
  for (const done of [0, 0.05, 0.5, 0.5000001, 0.99, 1]) {
    const prod = history.byQueue.get("prod")!;
    assert.ok(prod.length >= MIN_HISTORY);
    assert.ok(Math.abs(expectedFraction(history, "prod", done) - naive(prod, done)) < 1e-12);
    assert.ok(
      Math.abs(expectedFraction(history, "debug", done) - naive(history.all, done)) < 1e-12,
    );
  }
  // Nothing ran longer than all of its walltime: it runs to its walltime.
  assert.equal(expectedFraction(history, "prod", 1), 1);
  assert.equal(expectedFraction(history, "prod", 0), (3 + 60) / 2 / 60);
});

Deno.test("reads the client's cache served are counted as cached", async () => {
  const complex = createScenario("tiny", { seed: 1 });
  const pbs = new PbsClient({
    runner: new SimRunner({ complex, user: "alice" }),
    user: "alice",
    config: { ...loadConfig({}), cacheTtlMs: 600_000 },
    now: () => complex.now() * 1000,
  });
  // A submission's routing check reads the server and queue settings.
  await pbs.queuesFitting({ walltime: "01:00:00" });
  const estimate = await estimateStart(pbs, {
    request: { queue: "workq", ncpus: 1, walltime: "01:00:00" },
  });
  assert.deepEqual(estimate.commands, [
    "qstat -Bf -F json (cached)",
    "qstat -Qf -F json (cached)",
    "pbsnodes -a -F json",
    "qstat -a -w -x",
  ]);
  assert.equal(
    commandsRead(estimate.commands),
    "live state read with 4 PBS commands (of which 2 served from the cache): " +
      estimate.commands.join(", "),
  );
});
