/**
 * How good and how costly is estimate_start's forecast? On the polaris and
 * aurora scenarios, over several seeds, a set of requests is forecast one
 * after the other (each forecast sees the requests submitted before it), each
 * is then submitted for real with a runtime shorter than its walltime (as are
 * most of the background jobs: the model's "jobs end at their walltime" is
 * tested), and the clock advances until every one has started. The error is
 * the simulator's actual start minus the forecast.
 *
 * This measures the method against the simulator's own scheduler, not
 * against a real PBS server.
 *
 *   deno run --allow-all bench/forecast_bench.ts [polaris|aurora] [seeds] [first seed]
 *
 * Commands are counted as the simulator ran them: the client's read cache is
 * off (TTL 0), so none is served from it (the tool's answer says which are).
 *
 * `deno bench` runs only the timing of one forecast on polaris (below).
 */
import process from "node:process";
import { createScenario, SimRunner } from "../sim/mod.ts";
import type { Complex } from "../sim/complex.ts";
import { Random } from "../sim/random.ts";
import { loadConfig } from "../src/service/config.ts";
import { PbsClient } from "../src/service/pbs_client.ts";
import { forecastStart, readLiveState } from "../src/service/forecast.ts";
import type { SubmitJobRequest } from "../src/service/requests.ts";

const USER = "alice";

/**
 * Requests per scenario: queue, nodes, walltime, and the filesystems the
 * scenarios' site hook requires (sim/scenarios.ts `require_fs`; without them
 * the real submission after each forecast is refused).
 */
const REQUESTS: Record<string, SubmitJobRequest[]> = {
  polaris: [
    { queue: "debug", nodeCount: 1, walltime: "00:30:00" },
    { queue: "debug-scaling", nodeCount: 4, walltime: "01:00:00" },
    { queue: "preemptable", nodeCount: 2, walltime: "04:00:00" },
    { queue: "prod", nodeCount: 16, walltime: "02:00:00" },
    { queue: "prod", nodeCount: 64, walltime: "06:00:00" },
  ].map((r) => ({ ...r, filesystems: "home:eagle" })),
  aurora: [
    { queue: "debug", nodeCount: 1, walltime: "00:30:00" },
    { queue: "debug-scaling", nodeCount: 8, walltime: "01:00:00" },
    { queue: "prod", nodeCount: 32, walltime: "02:00:00" },
    { queue: "prod", nodeCount: 512, walltime: "06:00:00" },
  ].map((r) => ({ ...r, filesystems: "home:flare" })),
};

export interface Sample {
  scenario: string;
  seed: number;
  request: string;
  forecastWait?: number;
  actualWait?: number;
  /** Milliseconds reading the live state, without the simulator producing the output: parsing. */
  readMs: number;
  /** Milliseconds the simulator spent producing qstat/pbsnodes output (a real server's cost). */
  pbsMs: number;
  /** Bytes of PBS output read. */
  bytes: number;
  /** Milliseconds: loading the model and running it forward. */
  modelMs: number;
  /** CPU milliseconds of the same (wall time suffers on a shared machine; CPU time less). */
  modelCpuMs: number;
  /** CPU milliseconds reading, the simulator's answering included. */
  readCpuMs: number;
  commands: number;
}

/** The simulator as PBS, timing what it spends answering and how much it prints. */
class TimedRunner extends SimRunner {
  pbsMs = 0;
  bytes = 0;
  override async run(...args: Parameters<SimRunner["run"]>) {
    const t = performance.now();
    const result = await super.run(...args);
    this.pbsMs += performance.now() - t;
    this.bytes += result.stdout.length;
    return result;
  }
}

function clientFor(complex: Complex) {
  const runner = new TimedRunner({ complex, user: USER });
  const pbs = new PbsClient({
    runner,
    user: USER,
    config: { ...loadConfig({}), cacheTtlMs: 0 },
    now: () => complex.now() * 1000,
  });
  return { runner, pbs };
}

/** CPU milliseconds (user + system) since `since`. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

export async function runSeed(scenario: string, seed: number): Promise<Sample[]> {
  const complex = createScenario(scenario, { seed });
  const { runner, pbs } = clientFor(complex);
  const rng = new Random(seed * 7919);
  const samples: Sample[] = [];
  const submitted: Array<{ id: string; sample: Sample }> = [];
  const t0 = complex.now();
  for (const request of REQUESTS[scenario]) {
    const before = total(runner.runCounts());
    runner.pbsMs = 0;
    runner.bytes = 0;
    let t = performance.now();
    let cpu = process.cpuUsage();
    const live = await readLiveState(pbs);
    const readCpuMs = cpuMs(cpu);
    const pbsMs = runner.pbsMs;
    const bytes = runner.bytes;
    const readMs = performance.now() - t - pbsMs;
    const commands = total(runner.runCounts()) - before;
    const plan = await pbs.planSubmission({ ...request, script: "#!/bin/sh\ntrue\n" });
    t = performance.now();
    cpu = process.cpuUsage();
    const forecast = await forecastStart(
      live,
      { kind: "request", argv: plan.argv, stdin: plan.stdinScript, queue: request.queue! },
      USER,
    );
    const modelMs = performance.now() - t;
    const modelCpuMs = cpuMs(cpu);
    const sample: Sample = {
      scenario,
      seed,
      request: `${request.queue} ${request.nodeCount}n ${request.walltime}`,
      forecastWait: forecast.start !== undefined ? forecast.start - t0 : undefined,
      readMs,
      pbsMs,
      bytes,
      modelMs,
      modelCpuMs,
      readCpuMs,
      commands,
    };
    samples.push(sample);
    // For real: it runs 30-100 % of its walltime.
    const walltime = Number(request.walltime!.slice(0, 2)) * 3600 +
      Number(request.walltime!.slice(3, 5)) * 60;
    const runtime = Math.round(walltime * (0.3 + 0.7 * rng.next()));
    const result = await runner.run(plan.argv, { stdin: `#SIM runtime=${runtime}\n` });
    if (result.code !== 0) throw new Error(`submission refused: ${result.stderr.trim()}`);
    submitted.push({ id: result.stdout.trim(), sample });
  }
  const horizon = t0 + 14 * 86400;
  while (complex.now() < horizon) {
    const waiting = submitted.filter((s) => s.sample.actualWait === undefined);
    for (const s of waiting) {
      const job = complex.findJob(s.id, { history: true });
      if (job.stime !== undefined) s.sample.actualWait = job.stime - t0;
    }
    if (waiting.every((s) => s.sample.actualWait !== undefined)) break;
    complex.advance(300);
  }
  return samples;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

export function summarize(samples: Sample[]) {
  const both = samples.filter((s) => s.forecastWait !== undefined && s.actualWait !== undefined);
  const errMin = both.map((s) => Math.abs(s.actualWait! - s.forecastWait!) / 60);
  const waited = both.filter((s) => s.actualWait! >= 600);
  const rel = waited.map((s) => Math.abs(s.actualWait! - s.forecastWait!) / s.actualWait!);
  const signed = both.map((s) => (s.actualWait! - s.forecastWait!) / 60);
  return {
    samples: samples.length,
    compared: both.length,
    medianAbsErrorMin: percentile(errMin, 0.5),
    p90AbsErrorMin: percentile(errMin, 0.9),
    medianSignedErrorMin: percentile(signed, 0.5),
    relativeOver: waited.length,
    medianRelError: percentile(rel, 0.5),
    p90RelError: percentile(rel, 0.9),
    medianReadMs: percentile(samples.map((s) => s.readMs), 0.5),
    medianSimulatorAnswerMs: percentile(samples.map((s) => s.pbsMs), 0.5),
    medianMegabytes: percentile(samples.map((s) => s.bytes / 1e6), 0.5),
    medianModelMs: percentile(samples.map((s) => s.modelMs), 0.5),
    p90ModelMs: percentile(samples.map((s) => s.modelMs), 0.9),
    medianModelCpuMs: percentile(samples.map((s) => s.modelCpuMs), 0.5),
    p90ModelCpuMs: percentile(samples.map((s) => s.modelCpuMs), 0.9),
    maxModelCpuMs: Math.max(...samples.map((s) => s.modelCpuMs)),
    medianReadCpuMs: percentile(samples.map((s) => s.readCpuMs), 0.5),
    commandsPerForecast: Math.max(...samples.map((s) => s.commands)),
  };
}

if (import.meta.main) {
  const scenario = Deno.args[0] ?? "polaris";
  const seeds = Number(Deno.args[1] ?? 3);
  const first = Number(Deno.args[2] ?? 1);
  const all: Sample[] = [];
  for (let seed = first; seed < first + seeds; seed++) {
    const samples = await runSeed(scenario, seed);
    for (const s of samples) {
      console.log(
        `${scenario} seed ${seed} ${s.request}: forecast wait ${
          s.forecastWait === undefined ? "-" : (s.forecastWait / 60).toFixed(1)
        } min, actual ${
          s.actualWait === undefined ? "-" : (s.actualWait / 60).toFixed(1)
        } min; parse ${s.readMs.toFixed(0)} ms (sim answering ${s.pbsMs.toFixed(0)} ms, ${
          (s.bytes / 1e6).toFixed(1)
        } MB), model ${s.modelMs.toFixed(0)} ms (CPU ${
          s.modelCpuMs.toFixed(0)
        } ms), ${s.commands} commands`,
      );
    }
    all.push(...samples);
  }
  console.log(JSON.stringify(summarize(all), null, 2));
} else {
  const complex = createScenario("polaris", { seed: 1 });
  const { pbs } = clientFor(complex);
  const live = await readLiveState(pbs);
  const plan = await pbs.planSubmission({
    queue: "prod",
    nodeCount: 16,
    walltime: "02:00:00",
    filesystems: "home:eagle",
    script: "#!/bin/sh\ntrue\n",
  });
  Deno.bench("polaris: model one forecast (prod, 16 nodes, 2 h)", { n: 3, warmup: 0 }, async () => {
    await forecastStart(live, {
      kind: "request",
      argv: plan.argv,
      stdin: plan.stdinScript,
      queue: "prod",
    }, USER);
  });
}
