import assert from "node:assert/strict";
import { isPbsError } from "../../src/pbs/errors.ts";
import type { Runner, RunResult } from "../../src/pbs/runner.ts";
import {
  checkBatchSize,
  checkJobSize,
  CommandGate,
  DEFAULT_LIMITS,
  SubmissionRate,
} from "../../src/service/limits.ts";

function refusedWith(variable: string) {
  return (error: unknown) => {
    assert.ok(isPbsError(error));
    assert.equal(error.kind, "limit_exceeded");
    assert.match(error.message, new RegExp(variable));
    assert.match(error.hint, new RegExp(variable));
    return true;
  };
}

Deno.test("limits", async (t) => {
  await t.step("CommandGate runs at most N commands at once and all of them finish", async () => {
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const slow: Runner = {
      async run(): Promise<RunResult> {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return {
          stdout: "",
          stderr: "",
          code: 0,
          timedOut: false,
          truncated: false,
          durationMs: 0,
        };
      },
    };
    const gate = new CommandGate(slow, 4);
    const calls = Array.from({ length: 50 }, (_, i) => gate.run(["qstat", String(i)]));
    // Let every call that can start start, then release them one at a time.
    for (let done = 0; done < 50; done++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      assert.ok(releases.length > 0, "a command is waiting to be released");
      assert.ok(gate.load.running <= 4);
      releases.shift()!();
    }
    const results = await Promise.all(calls);
    assert.equal(results.length, 50);
    assert.equal(peak, 4);
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
  });

  await t.step("a failing command frees its slot", async () => {
    const failing: Runner = { run: () => Promise.reject(new Error("boom")) };
    const gate = new CommandGate(failing, 1);
    for (let i = 0; i < 3; i++) await assert.rejects(gate.run(["qstat"]), /boom/);
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
  });

  await t.step("a remote file read takes a slot like a command", async () => {
    const releases: Array<() => void> = [];
    const wait = () => new Promise<void>((resolve) => releases.push(resolve));
    const remote: Runner = {
      async run(): Promise<RunResult> {
        await wait();
        return {
          stdout: "",
          stderr: "",
          code: 0,
          timedOut: false,
          truncated: false,
          durationMs: 0,
        };
      },
      remoteFiles: {
        where: "on the login node x",
        async readEnd(path) {
          await wait();
          return { path, bytes: new Uint8Array(), sizeBytes: 0 };
        },
      },
    };
    const gate = new CommandGate(remote, 1);
    assert.equal(gate.remoteFiles?.where, "on the login node x");
    const command = gate.run(["qstat"]);
    const read = gate.remoteFiles!.readEnd("/a", { allowedDirs: ["/"], maxBytes: 1 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(gate.load, { running: 1, waiting: 1 });
    releases.shift()!();
    await command;
    await new Promise((resolve) => setTimeout(resolve, 0));
    releases.shift()!();
    assert.equal((await read)?.path, "/a");
    assert.deepEqual(gate.load, { running: 0, waiting: 0 });
    assert.equal(new CommandGate({ run: remote.run }, 1).remoteFiles, undefined);
  });

  await t.step("SubmissionRate: a sliding minute", () => {
    let now = 1_000_000;
    const rate = new SubmissionRate(3, () => now);
    rate.take(2);
    now += 30_000;
    rate.take(1);
    assert.throws(() => rate.take(1), (error) => {
      refusedWith("PBS_MCP_MAX_SUBMITS_PER_MINUTE")(error);
      assert.match((error as Error).message, /retry in 30 s/);
      return true;
    });
    now += 30_000; // the first two leave the window
    rate.take(2);
    assert.throws(() => rate.take(1), refusedWith("PBS_MCP_MAX_SUBMITS_PER_MINUTE"));
  });

  await t.step("job and batch sizes", () => {
    const limits = { ...DEFAULT_LIMITS, maxNodesPerJob: 8, maxWalltimeSeconds: 3600 };
    checkJobSize(limits, { nodes: 8, walltimeSeconds: 3600 });
    assert.throws(() => checkJobSize(limits, { nodes: 9 }), refusedWith("PBS_MCP_MAX_NODES"));
    assert.throws(
      () => checkJobSize(limits, { walltimeSeconds: 3601 }),
      refusedWith("PBS_MCP_MAX_WALLTIME"),
    );
    checkJobSize(DEFAULT_LIMITS, { nodes: 100_000, walltimeSeconds: 10 ** 7 });
    checkBatchSize(limits, limits.maxBatchJobs);
    assert.throws(
      () => checkBatchSize(limits, limits.maxBatchJobs + 1),
      refusedWith("PBS_MCP_MAX_BATCH_JOBS"),
    );
  });
});
