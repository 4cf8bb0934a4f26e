import assert from "node:assert/strict";
import { isPbsError } from "../../src/pbs/errors.ts";
import type { Job, JobStateLetter } from "../../src/pbs/model/types.ts";
import { filterJobs, parseStateFilter } from "../../src/service/job_filter.ts";

function job(id: string, state: JobStateLetter, user: string, queue = "workq"): Job {
  return {
    id: `${id}.pbs01`,
    name: `job${id}`,
    owner: `${user}@login1`,
    user,
    state,
    queue,
    holdTypes: "n",
    requested: {},
    used: {},
    times: {},
    variables: {},
    attributes: {},
  };
}

const letters = (set: Set<string> | undefined) =>
  set === undefined ? undefined : [...set].sort().join("");

Deno.test("parseStateFilter", async (t) => {
  await t.step("absent, empty and `all` mean no filter", () => {
    assert.equal(parseStateFilter(undefined), undefined);
    assert.equal(parseStateFilter(""), undefined);
    assert.equal(parseStateFilter("  "), undefined);
    assert.equal(parseStateFilter("all"), undefined);
    assert.equal(parseStateFilter(" ALL "), undefined);
  });

  await t.step("letters, in either case, alone or run together", () => {
    assert.equal(letters(parseStateFilter("R")), "R");
    assert.equal(letters(parseStateFilter("qh")), "HQ");
    assert.equal(letters(parseStateFilter("Q,H R")), "HQR");
  });

  await t.step("words map to their letters", () => {
    assert.equal(letters(parseStateFilter("running")), "R");
    assert.equal(letters(parseStateFilter("Running, held")), "HR");
    assert.equal(letters(parseStateFilter("pending")), "HQTW");
    assert.equal(letters(parseStateFilter("finished")), "FX");
    assert.equal(letters(parseStateFilter("suspended queued")), "QSU");
  });

  await t.step("an unknown state is invalid_input naming it", () => {
    for (const text of ["Z", "QZ", "running,sleeping", "done"]) {
      assert.throws(() => parseStateFilter(text), (error) => {
        assert.ok(isPbsError(error));
        assert.equal(error.kind, "invalid_input");
        assert.match(error.message, /unknown state/);
        assert.match(error.hint, /"all"/);
        return true;
      }, text);
    }
  });
});

Deno.test("filterJobs", async (t) => {
  const jobs = [
    job("1", "R", "alice", "workq"),
    job("2", "Q", "bob", "workq"),
    job("3", "H", "alice", "debug"),
    job("4", "F", "alice", "workq"),
    job("5", "X", "bob", "debug"),
    job("6", "Q", "alice", "debug"),
  ];
  const ids = (list: Job[]) => list.map((j) => j.id.split(".")[0]).join(",");

  await t.step("no filter: every job that has not finished", () => {
    assert.equal(ids(filterJobs(jobs, {}, "alice")), "1,2,3,6");
  });

  await t.step("includeFinished brings finished jobs back", () => {
    assert.equal(ids(filterJobs(jobs, { includeFinished: true }, "alice")), "1,2,3,4,5,6");
  });

  await t.step("asking for F or X states includes them without includeFinished", () => {
    assert.equal(ids(filterJobs(jobs, { states: "finished" }, "alice")), "4,5");
    assert.equal(ids(filterJobs(jobs, { states: "F" }, "alice")), "4");
    assert.equal(ids(filterJobs(jobs, { states: "RX" }, "alice")), "1,5");
  });

  await t.step("user `me` is the caller; any other name is taken literally", () => {
    assert.equal(ids(filterJobs(jobs, { user: "me" }, "bob")), "2");
    assert.equal(ids(filterJobs(jobs, { user: "me" }, "alice")), "1,3,6");
    assert.equal(ids(filterJobs(jobs, { user: "alice" }, "bob")), "1,3,6");
    assert.equal(ids(filterJobs(jobs, { user: "carol" }, "alice")), "");
  });

  await t.step("queue filter", () => {
    assert.equal(ids(filterJobs(jobs, { queue: "debug" }, "alice")), "3,6");
    assert.equal(
      ids(filterJobs(jobs, { queue: "debug", includeFinished: true }, "alice")),
      "3,5,6",
    );
  });

  await t.step("filters combine", () => {
    assert.equal(
      ids(filterJobs(jobs, { states: "queued", user: "me", queue: "debug" }, "alice")),
      "6",
    );
    assert.equal(ids(filterJobs(jobs, { states: "QH", user: "me" }, "alice")), "3,6");
  });

  await t.step("an invalid state filter throws rather than matching nothing", () => {
    assert.throws(() => filterJobs(jobs, { states: "Z" }, "alice"), /unknown state/);
  });
});
