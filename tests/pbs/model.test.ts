import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { golden, goldenNames, releaseGoldenNames } from "../golden.ts";
import { isPbsError } from "../../src/pbs/errors.ts";
import {
  formatDuration,
  formatPbsTime,
  formatSize,
  formatSizeApprox,
  parseDuration,
  parsePbsTime,
  parseSize,
} from "../../src/pbs/model/time.ts";
import {
  formatSelect,
  parseSelect,
  type SelectChunk,
  selectTotals,
} from "../../src/pbs/model/select.ts";
import {
  classifyNodeState,
  describeHolds,
  describeJobState,
  describeReservationState,
  describeSubstate,
  isActive,
  isFinished,
  isJobStateLetter,
  isPending,
  JOB_STATES,
  splitNodeState,
} from "../../src/pbs/model/states.ts";
import { describeExitStatus, signalName, signalNumber } from "../../src/pbs/model/exit_status.ts";
import {
  compactExecHost,
  compressHostList,
  execHosts,
  execVnodes,
  parseExecHost,
  parseExecVnode,
} from "../../src/pbs/model/exec_host.ts";

const CTIME_IN_TEXT = /[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}/g;

/** Every stdout of every capture (master and release client). */
function allGoldenOutputs(): string[] {
  return [...goldenNames(), ...releaseGoldenNames()].map((name) => golden(name).stdout);
}

/** All distinct matches of `re` (group 1 if present) across the goldens. */
function goldenValues(re: RegExp): string[] {
  const found = new Set<string>();
  for (const text of allGoldenOutputs()) {
    for (const m of text.matchAll(re)) found.add(m.slice(1).find((g) => g !== undefined) ?? m[0]);
  }
  return [...found];
}

function assertInvalidInput(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isPbsError(e), "expected a PbsError");
    assert.equal(e.kind, "invalid_input");
    assert.ok(e.hint.length > 0, "hint must not be empty");
    return true;
  });
}

Deno.test("time: ctime strings", async (t) => {
  await t.step("every ctime string in the goldens parses and formats back identically", () => {
    const times = goldenValues(CTIME_IN_TEXT);
    assert.ok(times.length > 10, `expected many golden times, found ${times.length}`);
    for (const text of times) {
      const epoch = parsePbsTime(text);
      assert.ok(epoch !== undefined, `failed to parse ${text}`);
      assert.equal(formatPbsTime(epoch), text);
    }
  });

  await t.step("parses to the local wall-clock time it names", () => {
    const epoch = parsePbsTime("Tue Nov 24 02:44:29 2026");
    assert.ok(epoch !== undefined);
    const d = new Date(epoch * 1000);
    assert.deepEqual(
      [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()],
      [2026, 10, 24, 2, 44, 29],
    );
  });

  await t.step("space-padded day, as ctime(3) prints it", () => {
    const epoch = parsePbsTime("Wed Nov  4 09:05:00 2026");
    assert.ok(epoch !== undefined);
    assert.equal(formatPbsTime(epoch), "Wed Nov  4 09:05:00 2026");
  });

  await t.step("decimal epoch strings", () => {
    assert.equal(parsePbsTime("1764000000"), 1764000000);
    assert.equal(parsePbsTime(" 0 "), 0);
  });

  await t.step("junk and impossible dates are undefined", () => {
    for (
      const bad of [
        "",
        "abc",
        "Tue Nov 24 2026",
        "Tue Foo 24 02:44:29 2026",
        "Tue Feb 30 02:44:29 2026",
        "Tue Nov 24 25:00:00 2026",
        "-5",
        "1e9",
      ]
    ) {
      assert.equal(parsePbsTime(bad), undefined, bad);
    }
  });

  await t.step("property: format → parse → format is stable", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), (epoch) => {
        const text = formatPbsTime(epoch);
        const back = parsePbsTime(text);
        assert.ok(back !== undefined, text);
        assert.equal(formatPbsTime(back), text);
      }),
    );
  });
});

Deno.test("time: durations", async (t) => {
  await t.step("PBS forms", () => {
    assert.equal(parseDuration("00:30:00"), 1800);
    assert.equal(parseDuration("336:00:00"), 336 * 3600);
    assert.equal(parseDuration("1:30"), 90);
    assert.equal(parseDuration("45"), 45);
    assert.equal(parseDuration("0:90"), 90, "fields are not range-limited in PBS");
    assert.equal(parseDuration("00:00:01.4"), 1, "fractions round down below .5");
    assert.equal(parseDuration("00:00:01.5"), 2, "fractions round up from .5");
  });

  await t.step("junk is undefined", () => {
    for (const bad of ["", "abc", "1:2:3:4", "1::2", ":30", "1:", "-1", "1.2.3", "10m", "1:2 3"]) {
      assert.equal(parseDuration(bad), undefined, bad);
    }
  });

  await t.step("formatting pads hours to two digits and lets them grow", () => {
    assert.equal(formatDuration(0), "00:00:00");
    assert.equal(formatDuration(59), "00:00:59");
    assert.equal(formatDuration(3661), "01:01:01");
    assert.equal(formatDuration(336 * 3600), "336:00:00");
    assert.equal(formatDuration(-61), "-00:01:01");
  });

  await t.step("every walltime/cput in the goldens round-trips", () => {
    const values = goldenValues(/"(?:walltime|cput)":\s*"([^"]+)"/g);
    assert.ok(values.length > 5);
    for (const text of values) {
      const seconds = parseDuration(text);
      assert.ok(seconds !== undefined, text);
      assert.equal(formatDuration(seconds), text);
    }
  });

  await t.step("property: parseDuration(formatDuration(n)) === n", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e10 }), (n) => {
        assert.equal(parseDuration(formatDuration(n)), n);
      }),
    );
  });
});

Deno.test("time: sizes", async (t) => {
  await t.step("PBS units, case-insensitive", () => {
    assert.equal(parseSize("7516kb"), 7516 * 1024);
    assert.equal(parseSize("100mb"), 100 * 1024 ** 2);
    assert.equal(parseSize("24GB"), 24 * 1024 ** 3);
    assert.equal(parseSize("1tb"), 1024 ** 4);
    assert.equal(parseSize("2k"), 2048, "a multiplier without b/w means bytes");
    assert.equal(parseSize("512"), 512);
    assert.equal(parseSize("512b"), 512);
    assert.equal(parseSize("3w"), 24, "a word is 8 bytes");
    assert.equal(parseSize("2KW"), 2 * 1024 * 8);
    assert.equal(parseSize("0kb"), 0);
  });

  await t.step("junk is undefined", () => {
    for (const bad of ["", "abc", "kb", "1.5gb", "-1kb", "10xb", "10kbb", "10bw", "1 gb"]) {
      assert.equal(parseSize(bad), undefined, bad);
    }
  });

  await t.step("every mem/vmem in the goldens parses", () => {
    const values = goldenValues(/"v?mem":\s*"([^"]+)"/g);
    assert.ok(values.length > 3);
    for (const text of values) assert.ok(parseSize(text) !== undefined, text);
  });

  await t.step("formatSize picks the largest exact unit", () => {
    assert.equal(formatSize(4 * 1024 ** 3), "4gb");
    assert.equal(formatSize(7516 * 1024), "7516kb");
    assert.equal(formatSize(1500), "1500b");
    assert.equal(formatSize(0), "0b");
    assert.equal(formatSizeApprox(24684084 * 1024), "23.5gb");
    assert.equal(formatSizeApprox(512), "512b");
  });

  await t.step("property: parseSize(formatSize(n)) === n", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 52 }), (n) => {
        assert.equal(parseSize(formatSize(n)), n);
      }),
    );
  });
});

Deno.test("select", async (t) => {
  await t.step("every select in the goldens parses and formats back identically", () => {
    const values = goldenValues(/"select":\s*"([^"]+)"/g);
    for (const expected of ["1:ncpus=2", "2:ncpus=1", "1:ncpus=1:mem=100mb"]) {
      assert.ok(values.includes(expected), `golden select ${expected} missing`);
    }
    for (const text of values) assert.equal(formatSelect(parseSelect(text)), text);
  });

  await t.step("grammar", () => {
    assert.deepEqual(parseSelect("1:ncpus=1:mem=100mb"), [
      { count: 1, resources: { ncpus: "1", mem: "100mb" } },
    ]);
    assert.deepEqual(parseSelect("ncpus=4"), [{ count: 1, resources: { ncpus: "4" } }]);
    assert.deepEqual(parseSelect("2"), [{ count: 2, resources: {} }], "a bare count is a chunk");
    assert.deepEqual(parseSelect("2:ncpus=8:ngpus=1+1:ncpus=2:host=login1"), [
      { count: 2, resources: { ncpus: "8", ngpus: "1" } },
      { count: 1, resources: { ncpus: "2", host: "login1" } },
    ]);
    assert.deepEqual(parseSelect(`1:ncpus=1:arch="a:b+c"`), [
      { count: 1, resources: { ncpus: "1", arch: "a:b+c" } },
    ]);
  });

  await t.step("bad grammar is invalid_input with a hint", () => {
    for (
      const bad of [
        "",
        "abc",
        "1:ncpus",
        "1:ncpus=1++2:ncpus=1",
        "+1:ncpus=1",
        "1:ncpus=1+",
        "1:",
        "0:ncpus=1",
        "1:=4",
        "1:9x=4",
        "1:ncpus=",
        "1:ncpus=1:ncpus=2",
        `1:a="x`,
      ]
    ) {
      assertInvalidInput(() => parseSelect(bad));
    }
  });

  await t.step("totals", () => {
    assert.deepEqual(selectTotals(parseSelect("2:ncpus=4:mem=1gb+1:ngpus=2:ncpus=8")), {
      nodes: 3,
      ncpus: 16,
      ngpus: 2,
      memBytes: 2 * 1024 ** 3,
    });
    assert.deepEqual(selectTotals(parseSelect("3")), { nodes: 3, ncpus: 3, ngpus: 0, memBytes: 0 });
    assertInvalidInput(() => selectTotals(parseSelect("1:ncpus=two")));
    assertInvalidInput(() => selectTotals(parseSelect("1:mem=lots")));
  });

  await t.step("formatSelect rejects what it cannot write", () => {
    assertInvalidInput(() => formatSelect([]));
    assertInvalidInput(() => formatSelect([{ count: 0, resources: {} }]));
    assertInvalidInput(() => formatSelect([{ count: 1, resources: { "bad name": "1" } }]));
    assertInvalidInput(() => formatSelect([{ count: 1, resources: { a: `'"` } }]));
  });

  await t.step("property: parseSelect(formatSelect(chunks)) deep-equals chunks", () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,10}$/);
    const value = fc.string({ minLength: 1, maxLength: 12 }).filter((v) =>
      !(v.includes('"') && v.includes("'"))
    );
    const chunk: fc.Arbitrary<SelectChunk> = fc.record({
      count: fc.integer({ min: 1, max: 10_000 }),
      resources: fc.dictionary(name, value, { maxKeys: 5 }),
    });
    fc.assert(
      fc.property(fc.array(chunk, { minLength: 1, maxLength: 5 }), (chunks) => {
        // fast-check builds null-prototype dictionaries; compare plain copies.
        const plain = chunks.map((c) => ({ count: c.count, resources: { ...c.resources } }));
        assert.deepEqual(parseSelect(formatSelect(chunks)), plain);
      }),
    );
  });
});

Deno.test("states", async (t) => {
  await t.step("all twelve job state letters, in exactly one grouping each", () => {
    const letters = "BEFHMQRSTUWX".split("");
    assert.deepEqual(Object.keys(JOB_STATES).sort(), letters);
    for (const letter of letters) {
      assert.ok(isJobStateLetter(letter));
      const groups = [isPending(letter), isActive(letter), isFinished(letter)].filter(Boolean);
      assert.equal(groups.length, 1, letter);
    }
    assert.ok(!isJobStateLetter("Z"));
    assert.ok(isPending("Q") && isPending("H") && isPending("W"));
    assert.ok(isActive("R") && isActive("B") && isActive("S"));
    assert.ok(isFinished("F") && isFinished("X"));
  });

  await t.step("describeJobState", () => {
    assert.equal(describeJobState("R").name, "running");
    assert.equal(describeJobState("W").name, "waiting");
    assert.equal(describeJobState("Z").name, "unknown");
  });

  await t.step("every job state and substate in the goldens is known", () => {
    for (const s of goldenValues(/"job_state":\s*"([^"]+)"/g)) assert.ok(isJobStateLetter(s), s);
    const substates = goldenValues(/"substate":\s*(\d+)/g).map(Number);
    for (const n of [10, 20, 22, 30, 42, 43, 70, 91, 92, 93]) {
      assert.notEqual(describeSubstate(n).name, "UNKNOWN", String(n));
    }
    for (const n of substates) assert.notEqual(describeSubstate(n).name, "UNKNOWN", String(n));
    assert.equal(describeSubstate(22).name, "DEPNHOLD");
    assert.equal(describeSubstate(12345).name, "UNKNOWN");
  });

  await t.step("holds", () => {
    assert.deepEqual(describeHolds("so"), ["system", "operator"]);
    assert.deepEqual(describeHolds("u"), ["user"]);
    assert.deepEqual(describeHolds("p"), ["bad password"]);
    assert.deepEqual(describeHolds("n"), []);
    assert.deepEqual(describeHolds(""), []);
    assert.deepEqual(describeHolds("z"), ["unknown hold 'z'"]);
  });

  await t.step("node buckets: down > offline > busy > free", () => {
    assert.equal(classifyNodeState(["free"]), "free");
    assert.equal(classifyNodeState(["job-busy"]), "busy");
    assert.equal(classifyNodeState(["job-exclusive", "resv-exclusive"]), "busy");
    assert.equal(classifyNodeState(["job-busy", "offline"]), "offline");
    assert.equal(classifyNodeState(["down", "offline"]), "down");
    assert.equal(classifyNodeState(["Stale"]), "down");
    assert.equal(classifyNodeState(["state-unknown", "down"]), "down");
    assert.equal(classifyNodeState(["maintenance"]), "offline");
    assert.equal(classifyNodeState(["wait-provisioning"]), "busy");
    assert.equal(classifyNodeState([]), "down");
    assert.equal(classifyNodeState(["free", "martian"]), "down");
    assert.deepEqual(splitNodeState("down,offline"), ["down", "offline"]);
  });

  await t.step("every node state in the goldens is classified", () => {
    const states = goldenValues(/"state":\s*"([^"]+)"|^\s*state = (.+)$/gm);
    assert.ok(states.length >= 3);
    const buckets = new Set(states.map((s) => classifyNodeState(splitNodeState(s))));
    assert.deepEqual([...buckets].sort(), ["down", "free", "offline"]);
  });

  await t.step("reservation states by long name, short code and number", () => {
    assert.equal(describeReservationState("RESV_CONFIRMED")?.short, "CO");
    assert.equal(describeReservationState("RN")?.name, "RESV_RUNNING");
    assert.equal(describeReservationState("un")?.name, "RESV_UNCONFIRMED");
    assert.equal(describeReservationState(10)?.name, "RESV_DEGRADED");
    assert.equal(describeReservationState("5")?.name, "RESV_RUNNING");
    assert.equal(describeReservationState("NOPE"), undefined);
    for (const s of goldenValues(/reserve_state = (\S+)/g)) {
      assert.ok(describeReservationState(s), s);
    }
  });
});

Deno.test("exit statuses", async (t) => {
  await t.step("the values seen in the goldens", () => {
    const seen = goldenValues(/"Exit_status":\s*(-?\d+)/g).map(Number);
    for (const code of [0, 3, -29, 271]) assert.ok(seen.includes(code), `golden ${code}`);
    for (const code of seen) assert.notEqual(describeExitStatus(code).category, "unknown");

    assert.equal(describeExitStatus(0).category, "success");
    assert.equal(describeExitStatus(3).category, "failure");
    assert.match(describeExitStatus(3).meaning, /3/);
    assert.match(describeExitStatus(127).meaning, /not found/);
    const walltime = describeExitStatus(-29);
    assert.equal(walltime.category, "walltime");
    assert.equal(walltime.pbsName, "JOB_EXEC_KILL_WALLTIME");
  });

  await t.step("killed by a signal: 256 + N", () => {
    assert.deepEqual(describeExitStatus(266).signal, { number: 10, name: "SIGUSR1" });
    assert.deepEqual(describeExitStatus(271).signal, { number: 15, name: "SIGTERM" });
    // SIGTERM comes from qdel, but also from preemption and node shutdowns.
    assert.match(describeExitStatus(271).meaning, /deleted \(qdel\), preempted, or its node/);
    assert.doesNotMatch(describeExitStatus(266).meaning, /qdel/);
    assert.deepEqual(describeExitStatus(265).signal, { number: 9, name: "SIGKILL" });
    assert.equal(describeExitStatus(271).category, "signal");
  });

  await t.step("shell-reported signal: 128 + N", () => {
    const info = describeExitStatus(137);
    assert.equal(info.category, "signal");
    assert.deepEqual(info.signal, { number: 9, name: "SIGKILL" });
  });

  await t.step("JOB_EXEC_* codes from job.h", () => {
    const expected: Record<number, string> = {
      [-1]: "JOB_EXEC_FAIL1",
      [-3]: "JOB_EXEC_RETRY",
      [-10]: "JOB_EXEC_FAILUID",
      [-11]: "JOB_EXEC_RERUN",
      [-24]: "JOB_EXEC_KILL_NCPUS_BURST",
      [-27]: "JOB_EXEC_KILL_MEM",
      [-28]: "JOB_EXEC_KILL_CPUT",
      [-30]: "JOB_EXEC_JOINJOB",
    };
    for (const [code, name] of Object.entries(expected)) {
      assert.equal(describeExitStatus(Number(code)).pbsName, name);
    }
    assert.equal(describeExitStatus(-27).category, "resource_limit");
    assert.equal(describeExitStatus(-8).pbsName, undefined, "-8 is not defined by OpenPBS");
    assert.equal(describeExitStatus(-8).category, "pbs");
  });

  await t.step("odd values never throw", () => {
    assert.equal(describeExitStatus(256).category, "unknown");
    assert.equal(describeExitStatus(1000).category, "unknown");
    assert.equal(describeExitStatus(1.5).category, "unknown");
  });

  await t.step("signal names and numbers are inverse", () => {
    for (let n = 1; n <= 64; n++) {
      const name = signalName(n);
      if (n === 32 || n === 33) {
        assert.equal(name, undefined);
        continue;
      }
      assert.ok(name, String(n));
      assert.equal(signalNumber(name), n);
    }
    assert.equal(signalNumber("term"), 15);
    assert.equal(signalNumber("BOGUS"), undefined);
  });
});

Deno.test("exec_host / exec_vnode", async (t) => {
  await t.step("every exec_host and exec_vnode in the goldens parses", () => {
    const hosts = goldenValues(/"exec_host":\s*"([^"]+)"|exec_host = (\S+)/g);
    assert.ok(hosts.includes("vm/1*2") && hosts.includes("vm/4+vm/5"));
    for (const text of hosts) assert.deepEqual(execHosts(text), ["vm"], text);
    const vnodes = goldenValues(/"exec_vnode":\s*"([^"]+)"|exec_vnode = (\S+)/g);
    assert.ok(vnodes.includes("(vm:ncpus=1:mem=102400kb)"));
    for (const text of vnodes) assert.deepEqual(execVnodes(text), ["vm"], text);
  });

  await t.step("slots", () => {
    assert.deepEqual(parseExecHost("vm/1*2"), [{ host: "vm", index: 1, ncpus: 2 }]);
    assert.deepEqual(parseExecHost("vm/4+vm/5"), [
      { host: "vm", index: 4, ncpus: 1 },
      { host: "vm", index: 5, ncpus: 1 },
    ]);
    assert.deepEqual(execHosts("nid001/0*8+nid002/0*8"), ["nid001", "nid002"]);
    assert.deepEqual(parseExecHost(""), []);
  });

  await t.step("vnode chunks", () => {
    assert.deepEqual(parseExecVnode("(vm:ncpus=1)+(vm:ncpus=1:mem=102400kb)"), [
      [{ vnode: "vm", resources: { ncpus: "1" } }],
      [{ vnode: "vm", resources: { ncpus: "1", mem: "102400kb" } }],
    ]);
    assert.deepEqual(parseExecVnode("(a[0]:ncpus=2+a[1]:ncpus=2)"), [
      [{ vnode: "a[0]", resources: { ncpus: "2" } }, { vnode: "a[1]", resources: { ncpus: "2" } }],
    ]);
  });

  await t.step("compactExecHost", () => {
    const big = Array.from({ length: 100 }, (_, i) => `n${i}/0*4`).join("+");
    assert.deepEqual(compactExecHost(big, 3), {
      nodeCount: 100,
      hosts: ["n0", "n1", "n2"],
      more: 97,
    });
    assert.deepEqual(compactExecHost("vm/4+vm/5", 5), { nodeCount: 1, hosts: ["vm"], more: 0 });
  });

  await t.step("compressHostList", () => {
    assert.equal(
      compressHostList(["nid00012", "nid00013", "nid00015", "nid00014", "login"]),
      "nid[00012-00015],login",
    );
    assert.equal(
      compressHostList(["x1000c0s0b0n0", "x1000c0s0b0n1", "x1000c0s1b0n0"]),
      "x1000c0s0b0n[0-1],x1000c0s1b0n0",
    );
    assert.equal(compressHostList(["n9", "n10", "n9"]), "n9,n10");
    assert.equal(compressHostList([]), "");
  });
});
