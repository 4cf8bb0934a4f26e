/**
 * Stories walked through the runner seam with argv only, as the MCP server
 * would: lifecycles, holds and permissions, dependencies, arrays, limits,
 * reservations, node draining, a server outage, determinism.
 */

import assert from "node:assert/strict";
import { createScenario, SimRunner } from "../../sim/mod.ts";

function session(user = "alice", seed = 1) {
  const complex = createScenario("golden", { seed });
  const runner = new SimRunner({ complex, user });
  const as = async (who: string, argv: string[], stdin?: string) => {
    runner.setUser(who);
    return await runner.run(argv, { stdin });
  };
  const submit = async (args: string[], script: string, who = "alice") => {
    const result = await as(who, ["qsub", ...args], script);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  };
  const job = async (id: string) => {
    const result = await as("alice", ["qstat", "-fx", "-F", "json", id]);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout).Jobs?.[id];
  };
  return { complex, runner, as, submit, job };
}

Deno.test("a job goes queued → running → finished, then lives in history", async () => {
  const { complex, as, submit, job } = session();
  const blocker = await submit(["-l", "select=1:ncpus=8"], "sleep 100\n");
  const id = await submit(["-N", "second"], "sleep 50\n");
  assert.equal((await job(blocker)).job_state, "R");
  assert.equal((await job(id)).job_state, "Q");
  complex.advance(130);
  assert.equal((await job(id)).job_state, "R");
  complex.advance(100);
  const finished = await job(id);
  assert.equal(finished.job_state, "F");
  assert.equal(finished.Exit_status, 0);
  const withoutX = await as("alice", ["qstat", "-f", id]);
  assert.equal(withoutX.code, 35);
  assert.equal(
    withoutX.stderr,
    `qstat: ${id} Job has finished, use -x or -H to obtain historical job information\n`,
  );
  assert.ok((await as("alice", ["qstat", "-H"])).stdout.includes(`${id} `));
});

/** Hold_Types letters in a fixed order (PBS prints system+operator as `so`). */
const letters = (text: string) => [...text].sort().join("");

Deno.test("holds: each type, with the right privileges", async () => {
  const { as, submit, job } = session();
  const id = await submit(["-h"], "sleep 10\n");
  assert.equal((await job(id)).Hold_Types, "u");
  assert.equal((await as("alice", ["qhold", "-h", "o", id])).code, 159);
  assert.equal((await as("root", ["qhold", "-h", "o", id])).code, 0);
  assert.equal((await as("root", ["qhold", "-h", "s", id])).code, 0);
  assert.equal(letters((await job(id)).Hold_Types), "osu");
  assert.equal(
    (await as("alice", ["qrls", "-h", "o", id])).stderr,
    `qrls: Unauthorized Request  ${id}\n`,
  );
  assert.equal((await as("alice", ["qrls", id])).code, 0);
  assert.equal(letters((await job(id)).Hold_Types), "os");
  assert.equal((await as("root", ["qrls", "-h", "os", id])).code, 0);
  const released = await job(id);
  assert.equal(released.Hold_Types, "n");
  assert.notEqual(released.job_state, "H");
});

Deno.test("afterok chain: the first job fails, the dependent never runs", async () => {
  const { complex, submit, job } = session();
  const first = await submit([], "sleep 5\nexit 3\n");
  const second = await submit(["-W", `depend=afterok:${first}`], "sleep 5\n");
  const waiting = await job(second);
  assert.equal(waiting.job_state, "H");
  assert.equal(waiting.Hold_Types, "s");
  complex.advance(120);
  assert.equal((await job(first)).Exit_status, 3);
  const after = await job(second);
  assert.ok(after === undefined || (after.job_state !== "R" && after.resources_used === undefined));
});

Deno.test("array with a % limit runs at most that many subjobs", async () => {
  const { complex, as, submit } = session();
  const parent = await submit(["-J", "1-6%2"], "sleep 30\n");
  assert.match(parent, /^\d+\[\]\.vm$/);
  for (let step = 0; step < 6; step++) {
    const listing = (await as("alice", ["qstat", "-t"])).stdout;
    const running = listing.split("\n").filter((line) => /^\d+\[\d+\]\.vm .* R /.test(line));
    assert.ok(running.length <= 2, listing);
    complex.advance(20);
  }
});

Deno.test("walltime kill: Exit_status -29", async () => {
  const { complex, submit, job } = session();
  const id = await submit(["-l", "walltime=00:01:00"], "sleep 3000\n");
  complex.advance(200);
  const killed = await job(id);
  assert.equal(killed.job_state, "F");
  assert.equal(killed.Exit_status, -29);
});

Deno.test("a reservation holds the node, then frees it", async () => {
  const { complex, as, submit, job } = session();
  const resv = await as("alice", ["pbs_rsub", "-D", "00:10:00", "-l", "select=1:ncpus=8"]);
  assert.equal(resv.code, 0, resv.stderr);
  assert.match(resv.stdout, /^R\d+\.vm UNCONFIRMED\n$/);
  complex.advance(5);
  const id = await submit(["-l", "select=1:ncpus=8", "-l", "walltime=00:05:00"], "sleep 60\n");
  complex.advance(60);
  assert.equal((await job(id)).job_state, "Q");
  complex.advance(600);
  assert.notEqual((await job(id)).job_state, "Q");
  assert.equal((await as("alice", ["pbs_rstat"])).stdout, "");
});

Deno.test("pbs_ralter moves a reservation, refuses others, denies what does not fit", async () => {
  const { complex, as } = session();
  const now = complex.now();
  const at = (seconds: number) => {
    const d = new Date((now + seconds) * 1000);
    const two = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}${
      two(d.getMinutes())
    }`;
  };
  const made = await as("alice", ["pbs_rsub", "-R", at(3600), "-D", "00:30:00"]);
  const id = made.stdout.split(" ")[0];
  complex.advance(5);
  const moved = await as("alice", ["pbs_ralter", "-R", at(7200), id]);
  assert.equal(moved.code, 0, moved.stderr);
  assert.equal(moved.stdout, `pbs_ralter: ${id} CONFIRMED\n`);
  const resv = complex.findReservation(id);
  assert.equal(resv.end - resv.start, 1800, "moving the start keeps the length");
  const bob = await as("bob", ["pbs_ralter", "-D", "01:00:00", id]);
  assert.equal(bob.code, 159);
  assert.equal(bob.stderr, "pbs_ralter: Unauthorized Request \n");
  await as("alice", ["pbs_rsub", "-R", at(4 * 3600), "-D", "01:00:00", "-l", "select=1:ncpus=8"]);
  complex.advance(5);
  const denied = await as("alice", ["pbs_ralter", "-R", at(4 * 3600), id]);
  assert.equal(denied.code, 0);
  assert.equal(denied.stdout, `pbs_ralter: ${id} DENIED\n`);
  assert.equal(complex.findReservation(id).start, resv.start);
});

Deno.test("qselect -t selects by time: finished jobs modified since a date", async () => {
  const { complex, as, submit } = session();
  const stamp = (epoch: number) => {
    const d = new Date(epoch * 1000);
    const two = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}${
      two(d.getMinutes())
    }.${two(d.getSeconds())}`;
  };
  const early = await submit([], "#SIM runtime=10\n");
  complex.advance(600);
  const boundary = complex.now();
  const late = await submit([], "#SIM runtime=10\n");
  complex.advance(600);
  const select = async (t: string) =>
    (await as("alice", ["qselect", "-x", "-s", "F", "-t", t])).stdout.trim().split("\n");
  assert.deepEqual(await select(`m.ge.${stamp(boundary)}`), [late]);
  assert.deepEqual(await select(`m.lt.${stamp(boundary)}`), [early]);
  const bad = await as("alice", ["qselect", "-t", "m.soon.now"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^qselect: illegal -t value/);
});

Deno.test("an offline node drains: running jobs go on, new ones wait", async () => {
  const { complex, as, submit, job } = session();
  const running = await submit([], "sleep 600\n");
  assert.equal((await as("root", ["pbsnodes", "-o", "-C", "disk replacement", "vm"])).code, 0);
  assert.equal(
    (await as("alice", ["pbsnodes", "-l"])).stdout,
    "vm                   offline disk replacement\n",
  );
  const waiting = await submit([], "sleep 10\n");
  complex.advance(30);
  assert.equal((await job(running)).job_state, "R");
  assert.equal((await job(waiting)).job_state, "Q");
  assert.equal((await as("alice", ["pbsnodes", "-r", "vm"])).code, 1);
  assert.equal((await as("root", ["pbsnodes", "-r", "vm"])).code, 0);
  complex.advance(30);
  assert.notEqual((await job(waiting)).job_state, "Q");
});

Deno.test("server down: every client fails like PBS, jobs survive a restart", async () => {
  const { as, submit } = session();
  const id = await submit([], "sleep 600\n");
  assert.equal((await as("alice", ["qterm", "-t", "quick"])).code, 2);
  assert.equal((await as("root", ["qterm", "-t", "quick"])).code, 0);
  const expectations: Array<[string[], number, string]> = [
    [["qstat"], 255, "qstat: cannot connect to server vm (errno=15010)\n"],
    [["qsub"], 162, "qsub: cannot connect to server vm (errno=15010)\n"],
    [["qdel", id], 162, "Couldn't connect to cluster: vm\n"],
    [["pbsnodes", "-a"], 1, "pbsnodes: cannot connect to server vm, error=15010\n"],
    [["qmgr", "-c", "list server"], 3, "qmgr: cannot connect to server \n"],
  ];
  for (const [argv, code, line] of expectations) {
    const result = await as("alice", argv, "sleep 1\n");
    assert.equal(result.code, code, argv.join(" "));
    assert.equal(result.stderr, `Connection refused\n${line}`);
  }
  const json = await as("alice", ["qstat", "-f", "-F", "json"]);
  assert.deepEqual(Object.keys(JSON.parse(json.stdout)), [
    "timestamp",
    "pbs_version",
    "pbs_server",
  ]);
  assert.equal((await as("alice", ["tracejob", id])).code, 0);
  assert.equal((await as("root", ["pbs_server"])).code, 0);
  assert.ok((await as("alice", ["qstat"])).stdout.includes(id));
});

Deno.test("runner faults: hang, slow, release-client JSON, counts", async (t) => {
  const { runner, submit } = session();
  await submit(["-h", "-v", "EMPTY=,NEXT=1,INF=inf"], "sleep 1\n");
  await t.step("a hung command ends at the caller's timeout", async () => {
    runner.faults = { hang: ["qstat"] };
    const result = await runner.run(["qstat"], { timeoutMs: 20 });
    assert.deepEqual([result.timedOut, result.code, result.stdout], [true, 124, ""]);
  });
  await t.step("release-client JSON is not valid JSON for inf", async () => {
    runner.faults = { json: "release-client" };
    const result = await runner.run(["qstat", "-f", "-F", "json"]);
    assert.ok(result.stdout.includes('"INF":inf'));
    assert.ok(result.stdout.includes('"EMPTY":",NEXT=1"'));
    assert.throws(() => JSON.parse(result.stdout));
  });
  await t.step("maxOutputBytes truncates", async () => {
    runner.faults = {};
    const result = await runner.run(["qstat", "-f"], { maxOutputBytes: 10 });
    assert.deepEqual([result.stdout.length, result.truncated], [10, true]);
  });
  await t.step("runs are counted per command", () => {
    assert.deepEqual(runner.runCounts(), { qsub: 1, qstat: 3 });
  });
});

Deno.test("determinism: same seed and commands, same bytes", async () => {
  const transcript = async () => {
    const { complex, as } = session("alice", 42);
    let out = "";
    for (let i = 0; i < 5; i++) {
      out += (await as("alice", ["qsub", "-J", "1-3"], "sleep 40\n")).stdout;
    }
    complex.advance(75);
    for (
      const argv of [["qstat", "-t"], ["qstat", "-f", "-F", "json"], ["pbsnodes", "-a"], [
        "qstat",
        "-x",
      ]]
    ) {
      out += (await as("alice", argv)).stdout;
    }
    return out;
  };
  assert.equal(await transcript(), await transcript());
});
