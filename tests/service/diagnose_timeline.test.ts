/**
 * diagnose_job's log timeline: tracejob captures become a short timeline;
 * deletions, requeues and signals are explained; "Couldn't find Job Id" on a
 * host without the logs is said as such, not as an unknown job.
 */
import assert from "node:assert/strict";
import { golden } from "../golden.ts";
import { parseTracejob, type TraceEntry } from "../../src/pbs/parse/simple.ts";
import { parseJobsJson } from "../../src/pbs/parse/jobs.ts";
import type { Job } from "../../src/pbs/model/types.ts";
import type { Runner, RunResult } from "../../src/pbs/runner.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { loadConfig } from "../../src/service/config.ts";
import { gatherDiagnosis } from "../../src/service/diagnose/gather.ts";
import { jobTimeline, MAX_EVENTS, timelineFindings } from "../../src/service/diagnose/timeline.ts";
import { createScenario, SimRunner } from "../../sim/mod.ts";

const failjob = (): Job =>
  parseJobsJson(golden("qstat_x_f_json_all").stdout).find((j) => j.id === "15.vm")!;

/** A log line as tracejob prints it, at 02:45:SS on the capture's day. */
function line(second: number, source: string, message: string): string {
  return `11/24/2026 02:45:${String(second).padStart(2, "0")}  ${source}    ${message}`;
}

function trace(...lines: string[]): TraceEntry[] {
  return parseTracejob(`\nJob: 15.vm\n\n${lines.join("\n")}\n`);
}

Deno.test("a captured tracejob becomes queued, started, ended, record deleted", () => {
  const t = jobTimeline(parseTracejob(golden("tracejob_alice").stdout), failjob());
  assert.deepEqual(
    t.events.map((e) => [e.kind, e.text, e.by]),
    [
      ["queued", "queued in workq", "alice@localhost"],
      ["started", "started on vm", undefined],
      ["ended", "ended, Exit_status 3: The job script exited with code 3.", undefined],
      ["history_deleted", "finished record deleted", "alice@localhost"],
    ],
  );
  assert.equal(t.omitted, 0);
  // Scheduler (L) and accounting (A) lines are not events.
  assert.ok(!t.events.some((e) => /Considering|user=/.test(e.text)));
});

Deno.test("a running job's capture: started, then a user hold", () => {
  const t = jobTimeline(parseTracejob(golden("tracejob_running_root").stdout));
  assert.deepEqual(t.events.map((e) => e.kind).slice(0, 3), ["queued", "started", "held"]);
  assert.equal(t.events[2].text, "hold u set");
});

Deno.test("deletions by someone else, requeues and signals are explained", () => {
  const entries = trace(
    line(
      1,
      "S",
      "Job Queued at request of alice@login1, owner = alice@login1, job name = failjob, queue = workq",
    ),
    line(
      2,
      "S",
      "Job Run at request of Scheduler@pbs on exec_vnode (x1001:ncpus=64)+(x1002:ncpus=64)",
    ),
    line(3, "S", "Job Rerun at request of root@pbs"),
    line(4, "S", "Job Run at request of Scheduler@pbs on exec_vnode (x1003:ncpus=64)"),
    line(5, "S", "job signaled with SIGUSR1 by alice@login1"),
    line(6, "S", "Job to be deleted at request of bob@login2"),
    line(7, "S", "Job sent signal SIGTERM on delete"),
    line(8, "S", "Exit_status=271 resources_used.walltime=00:00:06"),
  );
  const job = failjob();
  const t = jobTimeline(entries, job);
  assert.deepEqual(t.events.map((e) => e.kind), [
    "queued",
    "started",
    "requeued",
    "started",
    "signal",
    "deleted",
    "signal",
    "ended",
  ]);
  assert.equal(t.events[1].text, "started on x1001, x1002");
  const findings = timelineFindings(entries, job);
  const byTopic = new Map(findings.map((f) => [f.topic, f]));
  assert.match(
    byTopic.get("deletion")!.message,
    /at the request of bob@login2 \(not the owner alice/,
  );
  assert.equal(byTopic.get("deletion")!.severity, "warning");
  assert.match(
    byTopic.get("requeue")!.message,
    /^Requeued 1 time\(s\): requeued to run again \(qrerun\) by root@pbs/,
  );
  assert.match(
    byTopic.get("signals")!.message,
    /sent SIGUSR1 by alice@login1; sent SIGTERM to end it for the delete/,
  );
});

Deno.test("the owner's own delete is information; a failed dependency's is PBS's", () => {
  const own = timelineFindings(
    trace(line(1, "S", "Job to be deleted at request of alice@login1")),
    failjob(),
  );
  assert.equal(own[0].severity, "info");
  const dep = timelineFindings(
    trace(line(1, "S", "Job deleted as result of dependency on job 14.vm")),
    failjob(),
  );
  assert.match(dep[0].message, /^Deleted by PBS: its dependency on 14\.vm can no longer be met/);
});

Deno.test("a long history keeps its first and last events and counts the rest", () => {
  const reruns = Array.from({ length: 20 }, (_, i) => [
    line(2 * i, "S", "Job Run at request of Scheduler@pbs on exec_vnode (x1:ncpus=1)"),
    line(2 * i + 1, "S", "Job Rerun at request of root@pbs"),
  ]).flat();
  const entries = trace(...reruns, line(59, "S", "Exit_status=0"));
  const t = jobTimeline(entries);
  assert.equal(t.events.length, MAX_EVENTS);
  assert.equal(t.omitted, 41 - MAX_EVENTS);
  assert.equal(t.events[0].kind, "started");
  assert.equal(t.events.at(-1)!.kind, "ended");
  assert.match(timelineFindings(entries, failjob())[0].message, /^Requeued 20 time\(s\)/);
});

/** The simulator, except that tracejob answers as on a host without PBS logs (capture). */
class LoginNodeRunner implements Runner {
  constructor(private readonly inner: Runner) {}
  run(argv: readonly string[], options?: Parameters<Runner["run"]>[1]): Promise<RunResult> {
    if (argv[0] !== "tracejob") return this.inner.run(argv, options);
    const capture = golden("tracejob_never_seen");
    return Promise.resolve({
      stdout: capture.stdout,
      stderr: capture.stderr.replace("123456.vm", argv.at(-1)!),
      code: capture.meta.exit_code,
      timedOut: false,
      truncated: false,
      durationMs: 1,
    });
  }
}

Deno.test("no logs on this host is said as such, and the diagnosis still stands", async () => {
  const complex = createScenario("tiny", { seed: 1 });
  const client = new PbsClient({
    runner: new LoginNodeRunner(new SimRunner({ complex, user: "alice" })),
    user: "alice",
    config: { ...loadConfig({}), cacheTtlMs: 0 },
    now: () => complex.now() * 1000,
  });
  const submitted = await client.submitJob({ script: "#SIM runtime=30 exit=3\n" });
  complex.advance(60);
  const { result } = await gatherDiagnosis(client, submitted.jobId);
  assert.equal(result.category, "failed");
  assert.equal(result.exit?.code, 3);
  assert.deepEqual(result.timeline?.events, []);
  assert.match(
    result.timeline?.note ?? "",
    /no lines for .* in this host's PBS logs .* not that the job is unknown/,
  );
});
