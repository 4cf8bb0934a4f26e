import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import type { Runner, RunOptions, RunResult } from "../../src/pbs/runner.ts";
import type { ComplexApi } from "../../sim/model.ts";
import { RealtimeRunner } from "../../sim/realtime.ts";

/** Just enough of a complex: records every advance. */
function fakeComplex() {
  const advances: number[] = [];
  const complex = { advance: (seconds: number) => void advances.push(seconds) };
  return {
    advances,
    total: () => advances.reduce((a, b) => a + b, 0),
    complex: complex as unknown as ComplexApi,
  };
}

function fakeRunner(onRun: () => void = () => {}) {
  const calls: { argv: readonly string[]; options?: RunOptions }[] = [];
  const runner: Runner = {
    run(argv, options): Promise<RunResult> {
      onRun();
      calls.push({ argv, options });
      return Promise.resolve({
        stdout: `ran ${argv.join(" ")}\n`,
        stderr: "",
        code: 0,
        timedOut: false,
        truncated: false,
        durationMs: 1,
      });
    },
  };
  return { calls, runner };
}

Deno.test("RealtimeRunner", async (t) => {
  await t.step("advances the complex by elapsed real time × speed before each run", async () => {
    let now = 1_000_000;
    const sim = fakeComplex();
    const order: string[] = [];
    const inner = fakeRunner(() => order.push(`run after ${sim.total()}s`));
    const runner = new RealtimeRunner(inner.runner, sim.complex, 60, () => now);

    now += 1_500; // 1.5 s real = 90 s simulated
    const result = await runner.run(["qstat", "-f"], { timeoutMs: 5 });
    assert.deepEqual(sim.advances, [90]);
    assert.deepEqual(order, ["run after 90s"], "the clock moves before the command runs");
    assert.equal(result.stdout, "ran qstat -f\n");
    assert.deepEqual(inner.calls, [{ argv: ["qstat", "-f"], options: { timeoutMs: 5 } }]);
  });

  await t.step("no time passed: no advance", async () => {
    const now = 5_000;
    const sim = fakeComplex();
    const runner = new RealtimeRunner(fakeRunner().runner, sim.complex, 100, () => now);
    await runner.run(["qstat"]);
    runner.catchUp();
    assert.deepEqual(sim.advances, []);
  });

  await t.step("fractions of a simulated second are carried, not lost", () => {
    let now = 0;
    const sim = fakeComplex();
    const runner = new RealtimeRunner(fakeRunner().runner, sim.complex, 1, () => now);
    now += 400;
    runner.catchUp();
    now += 400;
    runner.catchUp();
    assert.deepEqual(sim.advances, []);
    now += 400; // 1.2 s in all
    runner.catchUp();
    assert.deepEqual(sim.advances, [1]);
    now += 800; // 2.0 s in all
    runner.catchUp();
    assert.deepEqual(sim.advances, [1, 1]);
  });

  await t.step("ten 100 ms steps at speed 1 make exactly one simulated second", () => {
    let now = 0;
    const sim = fakeComplex();
    const runner = new RealtimeRunner(fakeRunner().runner, sim.complex, 1, () => now);
    for (let i = 0; i < 10; i++) {
      now += 100;
      runner.catchUp();
    }
    assert.equal(sim.total(), 1);
  });

  await t.step("property: simulated time is always floor(real elapsed × speed)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 40 }),
        (speed, steps) => {
          let now = 0;
          const sim = fakeComplex();
          const runner = new RealtimeRunner(fakeRunner().runner, sim.complex, speed, () => now);
          for (const ms of steps) {
            now += ms;
            runner.catchUp();
            assert.equal(sim.total(), Math.floor((now * speed) / 1000));
            assert.ok(sim.advances.every((s) => Number.isInteger(s) && s > 0));
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
