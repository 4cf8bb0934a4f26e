/**
 * The diagnosis rules, without PBS or MCP: scheduler comments (the goldens'
 * own wording), dependencies, output signatures, resource use, and the
 * verdict for pending, running and finished jobs.
 */
import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import type { Job, Queue, Reservation, ServerInfo } from "../../src/pbs/model/types.ts";
import {
  compareResources,
  dependencyCondition,
  diagnoseJob,
  type DiagnosisInput,
  findSignatures,
  parseDependencies,
  parseRequestedAvailableTotal,
  readSchedulerComment,
} from "../../src/service/diagnose/mod.ts";

const NOW = 1_795_488_269; // Tue Nov 24 02:44:29 2026 UTC

function job(overrides: Partial<Job> = {}): Job {
  return {
    id: "12.vm",
    name: "work",
    owner: "alice@localhost",
    user: "alice",
    state: "Q",
    queue: "workq",
    holdTypes: "n",
    requested: { walltime: "01:00:00", select: "1:ncpus=2", ncpus: 2 },
    used: {},
    times: {},
    variables: {},
    attributes: {},
    ...overrides,
  };
}

function queue(overrides: Partial<Queue> = {}): Queue {
  return {
    name: "workq",
    type: "Execution",
    enabled: true,
    started: true,
    totalJobs: 0,
    stateCount: {},
    resourcesMax: {},
    resourcesMin: {},
    resourcesDefault: {},
    resourcesAssigned: {},
    aclUserEnable: false,
    aclUsers: [],
    routeDestinations: [],
    attributes: {},
    ...overrides,
  };
}

function server(overrides: Partial<ServerInfo> = {}): ServerInfo {
  return {
    name: "vm",
    scheduling: true,
    jobHistoryEnable: true,
    stateCount: {},
    resourcesAvailable: {},
    resourcesAssigned: {},
    resourcesDefault: {},
    attributes: {},
    ...overrides,
  };
}

function reservation(overrides: Partial<Reservation> = {}): Reservation {
  return {
    id: "R44.vm",
    owner: "bob@localhost",
    state: "RESV_CONFIRMED",
    queue: "R44",
    start: NOW + 600,
    end: NOW + 2400,
    requested: {},
    authorizedUsers: [],
    attributes: {},
    ...overrides,
  };
}

function diagnose(j: Job, extra: Partial<DiagnosisInput> = {}) {
  return diagnoseJob({ job: j, queues: [queue()], server: server(), now: NOW, ...extra });
}

Deno.test("scheduler comments", async (t) => {
  await t.step("Can Never Run with R/A/T counts (golden qsub_too_many_cpus)", () => {
    const r = readSchedulerComment(
      "Can Never Run: Insufficient amount of resource: ncpus (R: 16 A: 8 T: 8)",
    )!;
    assert.equal(r.verdict, "can_never_run");
    assert.equal(r.category, "can_never_run");
    assert.deepEqual(r.resource, {
      name: "ncpus",
      scope: "node",
      requested: "16",
      available: "8",
      total: "8",
    });
    assert.match(r.explanation, /never start/);
  });

  await t.step("Not Running: insufficient resource waits, with the free amount", () => {
    const r = readSchedulerComment(
      "Not Running: Insufficient amount of queue resource: ncpus (R: 4 A: 2 T: 8)",
    )!;
    assert.equal(r.category, "insufficient_resources");
    assert.equal(r.resource?.scope, "queue");
    assert.match(r.explanation, /2 free/);
  });

  const cases: [string, string][] = [
    ["Not Running: Not enough free nodes available", "waiting_for_nodes"],
    ["Not Running: Queue not started.", "queue_not_started"],
    ["Not Running: Job would conflict with reservation or top job", "reservation_conflict"],
    ["Not Running: User has reached queue workq running job limit.", "run_limit"],
    ["Not Running: Server job limit has been reached.", "run_limit"],
    ["Not Running: would exceed user alice's limit on resource ncpus in complex", "run_limit"],
    ["Not Running: Node is in an ineligible state: down", "node_unavailable"],
    ["Not Running: Something new the scheduler says", "scheduler_other"],
    ["Can Never Run: Job duration exceeds something", "can_never_run"],
  ];
  for (const [comment, category] of cases) {
    await t.step(`${comment} → ${category}`, () => {
      assert.equal(readSchedulerComment(comment)?.category, category);
    });
  }

  await t.step("comments that are not scheduler verdicts are not read as such", () => {
    assert.equal(readSchedulerComment("Job held by alice on Tue Nov 24 02:47:37 2026"), undefined);
    assert.equal(readSchedulerComment("Job run at Tue Nov 24 at 02:44 on (vm:ncpus=2)"), undefined);
  });

  await t.step("R/A/T parsing tolerates missing parts", () => {
    assert.deepEqual(parseRequestedAvailableTotal("R: 16 T: 8"), { requested: "16", total: "8" });
    assert.deepEqual(parseRequestedAvailableTotal(""), {});
  });
});

Deno.test("dependencies", async (t) => {
  await t.step("parses the jobs this job waits on, without @server and before* entries", () => {
    assert.deepEqual(parseDependencies("afterok:2.vm@vm:3.vm@vm,afterany:4.vm,beforeok:9.vm@vm"), [
      { type: "afterok", jobId: "2.vm" },
      { type: "afterok", jobId: "3.vm" },
      { type: "afterany", jobId: "4.vm" },
    ]);
    assert.deepEqual(parseDependencies("beforeok:3.vm@vm"), []);
  });

  await t.step("conditions follow the dependency type", () => {
    const c = (type: string, state?: string, exitStatus?: number) =>
      dependencyCondition({ type, jobId: "2.vm", state, exitStatus });
    assert.equal(c("afterok", "R"), "waiting");
    assert.equal(c("afterok", "F", 0), "met");
    assert.equal(c("afterok", "F", 3), "impossible");
    assert.equal(c("afternotok", "F", 3), "met");
    assert.equal(c("afternotok", "F", 0), "impossible");
    assert.equal(c("afterany", "F", 3), "met");
    assert.equal(c("afterany", "Q"), "waiting");
    assert.equal(c("after", "R"), "met");
    assert.equal(c("after", "Q"), "waiting");
    assert.equal(c("afterok", undefined), "unknown");
  });
});

Deno.test("output signatures", async (t) => {
  const cases: [string, string][] = [
    ["=>> PBS: job killed: walltime 308 exceeded limit 300", "walltime"],
    ["slurmstepd: error: Detected 1 oom-kill event(s)", "out_of_memory"],
    ["/var/spool/pbs/mom_priv/jobs/12.vm.SC: line 3: 4567 Killed   ./app", "out_of_memory"],
    ["malloc failed: Cannot allocate memory", "out_of_memory"],
    ["line 4: 99 Segmentation fault (core dumped) ./app", "segfault"],
    ["bash: module: command not found", "module_error"],
    ["Lmod: Unable to locate a modulefile for 'cuda/99'", "module_error"],
    ["cat: input.dat: No such file or directory", "missing_file"],
    ["application called MPI_Abort(MPI_COMM_WORLD, 1) - process 3", "mpi_abort"],
    ["bash: line 1: fancytool: command not found", "command_not_found"],
    ["write failed: No space left on device", "disk_full"],
  ];
  for (const [line, kind] of cases) {
    await t.step(`${kind}: ${line}`, () => {
      const found = findSignatures([{ stream: "stderr", text: `started\n${line}\nmore` }]);
      assert.equal(found[0]?.kind, kind);
      assert.equal(found[0].line, line.trim());
    });
  }

  await t.step("a Python traceback is reported by its exception line", () => {
    const text = [
      "Traceback (most recent call last):",
      '  File "train.py", line 3, in <module>',
      "    x = int('a')",
      "ValueError: invalid literal for int() with base 10: 'a'",
    ].join("\n");
    const [sig] = findSignatures([{ stream: "stderr", text }]);
    assert.equal(sig.kind, "python_traceback");
    assert.equal(sig.line, "ValueError: invalid literal for int() with base 10: 'a'");
  });

  await t.step("ordinary output has no signature; words containing 'Killed' do not count", () => {
    assert.deepEqual(findSignatures([{ stream: "stdout", text: "Skilled work done\nok\n" }]), []);
  });

  await t.step("one line per kind, in the most telling order, long lines cut", () => {
    const long = `Segmentation fault ${"x".repeat(500)}`;
    const found = findSignatures([
      { stream: "stdout", text: `${long}\nSegmentation fault again` },
      { stream: "stderr", text: "=>> PBS: job killed: walltime 70 exceeded limit 60" },
    ]);
    assert.deepEqual(found.map((s) => s.kind), ["walltime", "segfault"]);
    assert.ok(found[1].line.length <= 201);
  });
});

Deno.test("resources used against requested", () => {
  const rows = compareResources(job({
    requested: { walltime: "01:00:00", mem: "4gb", ncpus: 4 },
    used: { walltime: "00:57:00", mem: "3900mb", cpupercent: 100 },
  }));
  const by = Object.fromEntries(rows.map((r) => [r.resource, r]));
  assert.equal(by.walltime.percent, 95);
  assert.equal(by.mem.percent, 95);
  assert.equal(by.ncpus.percent, 25);
  assert.equal(compareResources(job()).length, 0);
});

Deno.test("pending jobs", async (t) => {
  await t.step("Can Never Run: asks for at most the total, in smaller chunks", () => {
    const d = diagnose(job({
      requested: { select: "1:ncpus=16", ncpus: 16 },
      comment: "Can Never Run: Insufficient amount of resource: ncpus (R: 16 A: 8 T: 8)",
    }));
    assert.equal(d.phase, "pending");
    assert.equal(d.category, "can_never_run");
    assert.match(d.summary, /Insufficient amount of resource: ncpus/);
    assert.match(d.nextSteps.join(" "), /at most 8 ncpus/);
    assert.match(d.nextSteps.join(" "), /select=2:ncpus=8/);
  });

  await t.step("a read-only server's steps name PBS commands, not write tools", () => {
    const held = diagnose(job({ state: "H", holdTypes: "u" }), {
      callerRole: "user",
      readOnly: true,
    });
    assert.match(held.nextSteps.join(" "), /Release it: qrls -h u 12\.vm/);
    assert.doesNotMatch(held.nextSteps.join(" "), /release_job|modify_job|delete_job/);
  });

  await t.step("a user hold is the caller's to release", () => {
    const d = diagnose(
      job({ state: "H", holdTypes: "u", comment: "Job held by alice on Tue Nov 24 02:47:37 2026" }),
      { callerRole: "user" },
    );
    assert.equal(d.category, "held");
    assert.match(d.summary, /user hold \(set by alice\)/);
    assert.match(d.nextSteps.join(" "), /release_job job_id=12\.vm hold_type=u/);
    const other = diagnose(job({ state: "H", holdTypes: "u" }), {
      callerRole: "user",
      caller: "bob",
    });
    assert.doesNotMatch(
      other.nextSteps.join(" "),
      /release_job/,
      "bob cannot release alice's hold",
    );
  });

  await t.step("an operator hold needs an operator", () => {
    const d = diagnose(job({ state: "H", holdTypes: "o" }), { callerRole: "user" });
    assert.equal(d.category, "held");
    assert.match(d.summary, /operator/);
    assert.doesNotMatch(d.nextSteps.join(" "), /release_job/);
    assert.match(d.nextSteps.join(" "), /Ask an operator or manager/);
    const asOperator = diagnose(job({ state: "H", holdTypes: "o" }), { callerRole: "operator" });
    assert.match(asOperator.nextSteps.join(" "), /release_job .* hold_type=o/);
  });

  await t.step("a dependency wait names the job and its state (golden 3.vm)", () => {
    const d = diagnose(
      job({ state: "H", holdTypes: "s", substate: 22, depend: "afterok:2.vm@vm" }),
      { dependencies: [{ type: "afterok", jobId: "2.vm", state: "R" }] },
    );
    assert.equal(d.category, "dependency");
    assert.match(d.summary, /2\.vm \(running; afterok needs it to succeed\)/);
    assert.equal(d.dependencies[0].condition, "waiting");
    assert.ok(
      !d.findings.some((f) => f.topic === "hold"),
      "a dependency hold is not a manual hold",
    );
  });

  await t.step("a dependency that failed can never be met", () => {
    const d = diagnose(
      job({ state: "H", holdTypes: "s", substate: 22, depend: "afterok:2.vm@vm" }),
      { dependencies: [{ type: "afterok", jobId: "2.vm", state: "F", exitStatus: 3 }] },
    );
    assert.equal(d.category, "dependency_never_satisfied");
    assert.match(d.nextSteps.join(" "), /delete_job/);
  });

  await t.step("a stopped queue suggests a started one that fits", () => {
    const d = diagnose(
      job({ queue: "stopped", comment: "Not Running: Queue not started." }),
      {
        queues: [
          queue({ name: "stopped", started: false }),
          queue({ name: "closed", enabled: false, started: false }),
          queue({ name: "debug", resourcesMax: { walltime: "00:30:00" } }),
          queue({ name: "workq" }),
        ],
      },
    );
    assert.equal(d.category, "queue_not_started");
    assert.match(d.summary, /Queue stopped is not started/);
    assert.match(d.nextSteps.join(" "), /queue=workq/);
    assert.equal(d.findings.filter((f) => f.severity === "blocking").length, 1);
  });

  await t.step("scheduling off on the server comes first", () => {
    const d = diagnose(job(), { server: server({ scheduling: false }) });
    assert.equal(d.category, "scheduling_disabled");
    assert.match(d.summary, /scheduling = False/);
  });

  await t.step("a deferred job waits for its start time", () => {
    const d = diagnose(job({ state: "W", times: { executeAfter: NOW + 3600 } }));
    assert.equal(d.category, "waiting_for_start_time");
    assert.match(d.summary, /2026-11-24T03:44:29Z/);
  });

  await t.step("without a comment, a request larger than any node is caught", () => {
    const d = diagnose(job({ requested: { select: "2:ncpus=64:ngpus=8" } }), {
      capacity: {
        maxNodeNcpus: 32,
        maxNodeNgpus: 4,
        maxNodeMemBytes: 0,
        totalNcpus: 64,
        usableNodes: 2,
      },
    });
    assert.equal(d.category, "can_never_run");
    assert.match(d.summary, /ncpus=64; the largest node has 32/);
    assert.match(d.summary, /ngpus=8; the largest node has 4/);
  });

  await t.step("no comment yet: the scheduler has not looked", () => {
    const d = diagnose(job());
    assert.equal(d.category, "not_yet_scheduled");
    assert.ok(d.nextSteps.length > 0);
  });

  await t.step("a job in a reservation queue waits for the reservation", () => {
    const d = diagnose(job({ queue: "R44", comment: "Not Running: Queue not started." }), {
      queues: [queue({ name: "R44", started: false })],
      reservations: [reservation()],
    });
    assert.equal(d.category, "waiting_for_reservation");
    assert.match(d.summary, /R44\.vm/);
  });

  await t.step("competing reservations are listed, blocking when the scheduler says so", () => {
    const d = diagnose(
      job({ comment: "Not Running: Job would conflict with reservation or top job" }),
      {
        reservations: [
          reservation(),
          reservation({ id: "R50.vm", queue: "R50", start: NOW + 90_000, end: NOW + 99_000 }),
        ],
      },
    );
    assert.equal(d.category, "reservation_conflict");
    const finding = d.findings.find((f) => f.topic === "competing_reservations")!;
    assert.equal(finding.severity, "blocking");
    assert.match(finding.message, /R44\.vm/);
    assert.doesNotMatch(
      finding.message,
      /R50/,
      "a reservation after the job's window does not compete",
    );
  });

  await t.step("the estimated start is reported", () => {
    const d = diagnose(job({
      comment: "Not Running: Not enough free nodes available",
      times: { estimatedStart: NOW + 7200 },
    }));
    assert.equal(d.category, "waiting_for_nodes");
    assert.equal(d.estimatedStart, NOW + 7200);
    assert.ok(d.findings.some((f) => f.topic === "estimate" && /04:44:29/.test(f.message)));
  });
});

Deno.test("running jobs", () => {
  const fine = diagnose(job({ state: "R", used: { walltime: "00:10:00" } }));
  assert.equal(fine.phase, "running");
  assert.equal(fine.category, "running");
  const near = diagnose(job({ state: "R", used: { walltime: "00:57:00" } }));
  assert.equal(near.category, "near_walltime");
  assert.match(near.summary, /95%/);
});

Deno.test("finished jobs", async (t) => {
  const finished = (overrides: Partial<Job>) => job({ state: "F", ...overrides });

  await t.step("-29: walltime exceeded, asks for twice the walltime within the queue max", () => {
    const d = diagnose(
      finished({
        exitStatus: -29,
        requested: { walltime: "00:01:00" },
        used: { walltime: "00:01:08" },
        comment: "Job run at Tue Nov 24 at 02:44 on (vm:ncpus=1) and exceeded resource walltime",
      }),
      {
        outputs: [{ stream: "stderr", text: "=>> PBS: job killed: walltime 68 exceeded limit 60" }],
      },
    );
    assert.equal(d.category, "walltime_exceeded");
    assert.match(d.summary, /walltime limit of 00:01:00/);
    assert.match(d.nextSteps[0], /walltime=00:02:00/);
    assert.equal(d.exit?.pbsName, "JOB_EXEC_KILL_WALLTIME");
    assert.equal(d.signatures[0].kind, "walltime");
  });

  await t.step("walltime at the queue's maximum points to another queue", () => {
    const d = diagnose(
      finished({ exitStatus: -29, queue: "debug", requested: { walltime: "01:00:00" } }),
      {
        queues: [queue({ name: "debug", resourcesMax: { walltime: "01:00:00" } })],
      },
    );
    assert.match(d.nextSteps[0], /already asked for queue debug's maximum/);
  });

  await t.step("exit 0 succeeds and notes a generous walltime", () => {
    const d = diagnose(finished({ exitStatus: 0, used: { walltime: "00:05:00" } }));
    assert.equal(d.category, "succeeded");
    assert.match(d.nextSteps.join(" "), /8% of its walltime/);
  });

  await t.step("deleted while running (271 = SIGTERM, comment names who)", () => {
    const d = diagnose(finished({
      exitStatus: 271,
      comment: "Job run at Tue Nov 24 at 02:44 on (vm:ncpus=1) and terminated by alice@localhost",
    }));
    assert.equal(d.category, "deleted");
    assert.match(d.summary, /by alice@localhost/);
  });

  await t.step("271 without PBS naming a deleter is a SIGTERM, not a deletion", () => {
    // Preemption and node shutdowns send SIGTERM too.
    const d = diagnose(finished({ exitStatus: 271, comment: "Job run at Tue Nov 24 at 02:44" }));
    assert.equal(d.category, "killed_by_signal");
    assert.doesNotMatch(d.summary, /deleted while running/);
    assert.match(d.summary, /SIGTERM .*deleted \(qdel\), preempted, or its node shuts down/);
  });

  await t.step("SIGKILL with memory at its limit is out of memory", () => {
    const d = diagnose(finished({
      exitStatus: 137,
      requested: { mem: "4gb", walltime: "01:00:00" },
      used: { mem: "4000mb", walltime: "00:10:00" },
    }));
    assert.equal(d.category, "out_of_memory");
    assert.match(d.summary, /used 4000mb of 4gb/);
    assert.match(d.nextSteps[0], /double 4gb/);
  });

  await t.step("the kernel's OOM message decides even without usage data", () => {
    const d = diagnose(finished({ exitStatus: 1 }), {
      outputs: [{ stream: "stderr", text: "Out of memory: Killed process 42 (python)" }],
    });
    assert.equal(d.category, "out_of_memory");
  });

  const bySignature: [string, number, string][] = [
    ["Segmentation fault (core dumped)", 139, "segfault"],
    ["bash: module: command not found", 1, "module_error"],
    ["Traceback (most recent call last):\nKeyError: 'x'", 1, "python_error"],
    ["application called MPI_Abort(MPI_COMM_WORLD, 1)", 1, "mpi_abort"],
    ["python3: can't open file 'x.py': [Errno 2] No such file or directory", 2, "missing_file"],
  ];
  for (const [text, exitStatus, category] of bySignature) {
    await t.step(`${category} from the output`, () => {
      const d = diagnose(finished({ exitStatus }), { outputs: [{ stream: "stderr", text }] });
      assert.equal(d.category, category);
      assert.ok(d.nextSteps.length > 0);
      assert.ok(d.findings.some((f) => f.topic === "output"));
    });
  }

  await t.step("127 without output is a missing command", () => {
    assert.equal(diagnose(finished({ exitStatus: 127 })).category, "command_not_found");
  });

  await t.step("a negative PBS code is PBS's failure", () => {
    const d = diagnose(finished({ exitStatus: -1 }));
    assert.equal(d.category, "pbs_failure");
    assert.match(d.summary, /could not start/);
  });

  await t.step("a plain exit code with unreadable output says what it could not read", () => {
    const d = diagnose(finished({ exitStatus: 3 }), {
      outputProblems: ["Could not read the job's stderr (no such file)"],
    });
    assert.equal(d.category, "failed");
    assert.match(d.summary, /exited with code 3/);
    assert.ok(d.findings.some((f) => f.topic === "output" && /Could not read/.test(f.message)));
  });

  await t.step("a job that finished without running", () => {
    assert.equal(diagnose(finished({})).category, "never_ran");
    assert.equal(
      diagnose(finished({ comment: "Job deleted by alice" })).category,
      "deleted",
    );
  });
});

Deno.test("any job gets an answer with next steps (property)", () => {
  const states = ["Q", "H", "W", "R", "E", "F", "X", "S", "B", "T", "M", "U"] as const;
  fc.assert(
    fc.property(
      fc.constantFrom(...states),
      fc.option(fc.integer({ min: -40, max: 400 }), { nil: undefined }),
      fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
      fc.stringMatching(/^[nuosp]{0,3}$/),
      fc.string({ maxLength: 200 }),
      (state, exitStatus, comment, holdTypes, output) => {
        const d = diagnose(job({ state, exitStatus, comment, holdTypes }), {
          outputs: [{ stream: "stderr", text: output }],
        });
        assert.ok(d.summary.length > 0);
        assert.ok(d.nextSteps.length > 0);
        assert.equal(d.state, state);
      },
    ),
  );
});
