/**
 * Each half of an answer is complete on its own: some clients forward only
 * the text to the model, others only structuredContent. Every tool of the
 * inventory is called with realistic arguments on the simulator, and every
 * id and name its structured answer carries must appear in its text.
 */
import assert from "node:assert/strict";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { TOOL_INVENTORY } from "../../src/mcp/tools/inventory.ts";
import { MAX_RESULT_CHARS } from "../../src/mcp/tool_kit.ts";
import { type Harness, simScript, sizeOf, startHarness, textOf } from "./harness.ts";

/** Keys whose string values identify something a model may name in its next call. */
const ID_KEYS = new Set([
  "id",
  "job_id",
  "name",
  "key",
  "queue",
  "default_queue",
  "reservation_id",
  "user",
  "owner",
]);
/** Keys holding lists of names. */
const NAME_LIST_KEYS = new Set(["managers", "operators", "route_destinations", "order"]);
/** Keys holding records keyed by a name (job key, tool, PBS command). */
const NAME_RECORD_KEYS = new Set(["job_ids", "tool_calls", "pbs_commands"]);

/** Every id and name in a structured answer, with where it was found. */
function idsAndNames(value: unknown, path = ""): { path: string; value: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => idsAndNames(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  const found: { path: string; value: string }[] = [];
  for (const [key, child] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (ID_KEYS.has(key) && typeof child === "string") found.push({ path: at, value: child });
    if (NAME_LIST_KEYS.has(key) && Array.isArray(child)) {
      for (const item of child) if (typeof item === "string") found.push({ path: at, value: item });
    }
    if (NAME_RECORD_KEYS.has(key) && child && typeof child === "object") {
      for (const name of Object.keys(child)) found.push({ path: `${at} key`, value: name });
    }
    found.push(...idsAndNames(child, at));
  }
  return found;
}

function assertTextCarriesIds(name: string, result: CallToolResult): void {
  assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
  const text = textOf(result);
  const ids = idsAndNames(result.structuredContent);
  const missing = ids.filter((id) => !text.includes(id.value));
  assert.deepEqual(
    missing,
    [],
    `${name}: in structuredContent but not in the text:\n${text}`,
  );
  assert.ok(sizeOf(result) <= MAX_RESULT_CHARS, `${name}: ${sizeOf(result)} characters`);
}

function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * One realistic call per tool, in an order that gives later calls something
 * to look at (a finished job with output, a job waiting on a dependency, a
 * reservation). `calls` lists every tool the inventory offers.
 */
async function exerciseEveryTool(
  h: Harness,
  check: (name: string, result: CallToolResult) => void,
): Promise<Set<string>> {
  const called = new Set<string>();
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await h.call(name, args);
    check(name, result);
    called.add(name);
    return result.structuredContent as Record<string, unknown>;
  };
  const first = await call("submit_job", {
    script: simScript({ runtime: 60, echo: ["hello"] }),
    job_name: "first_step",
    walltime: "00:10:00",
  });
  const firstId = String(first.job_id);
  const waiting = await call("submit_job", {
    script: simScript(),
    job_name: "second_step",
    depend: `afterok:${firstId}`,
  });
  const waitingId = String(waiting.job_id);
  h.advance(5);
  await call("get_job_status", { job_id: firstId });
  await call("list_jobs", {});
  await call("get_job_summary", {});
  await call("diagnose_job", { job_id: waitingId });
  await call("estimate_start", { job_id: waitingId });
  await call("wait_for_job", { job_id: firstId, until: "finished", timeout_seconds: 600 });
  await call("get_job_status", { job_id: firstId, detail: "full" });
  await call("get_job_output", { job_id: firstId });
  await call("diagnose_job", { job_id: firstId });
  await call("list_jobs", { include_finished: true });
  await call("hold_job", { job_id: waitingId });
  await call("release_job", { job_id: waitingId });
  await call("modify_job", { job_id: waitingId, job_name: "renamed_step" });
  await call("delete_job", { job_id: waitingId });
  await call("analyze_history", {});
  await call("analyze_history", { days: 1, job_name: "*_step", queue: "workq" });
  await call("submit_batch_jobs", {
    jobs: [
      { script: simScript(), job_name: "sweep_a" },
      { script: simScript(), job_name: "sweep_b", queue: "debug" },
    ],
  });
  await call("submit_dependent_jobs", {
    jobs: [
      { key: "prepare", script: simScript() },
      { key: "simulate", script: simScript() },
    ],
    dependency_graph: { simulate: [{ on: "prepare", type: "afterok" }] },
  });
  await call("list_queues", {});
  await call("list_nodes", {});
  await call("get_server_info", {});
  await call("check_privileges", {});
  const now = h.complex.now();
  const made = await call("manage_reservation", {
    action: "create",
    start: iso(now + 3600),
    duration: "01:00:00",
    select: "1:ncpus=2",
    name: "training_window",
  });
  await call("list_reservations", {});
  await call("estimate_start", { node_count: 2, ncpus: 8, walltime: "02:00:00" });
  await call("manage_reservation", {
    action: "delete",
    reservation_id: made.reservation_id,
  });
  await call("generate_job_script", { application: "python train.py", walltime: "01:00:00" });
  await call("get_allocation", {});
  if (h.clusters && Object.keys(h.clusters).length > 1) await call("list_clusters", {});
  return called;
}

Deno.test("every tool's text names every id and name of its structured answer", async () => {
  // A site profile with an allocation command, so get_allocation is offered too.
  const h = await startHarness({ scenario: "tiny", profile: "polaris" });
  try {
    const called = await exerciseEveryTool(h, assertTextCarriesIds);
    const offered = TOOL_INVENTORY.filter((e) => e.needs !== "clusters").map((e) => e.tool.name);
    assert.deepEqual(
      offered.filter((name) => !called.has(name)),
      [],
      "every tool of a one-cluster server is exercised",
    );
  } finally {
    await h.close();
  }
});

Deno.test("with two clusters, every answer names its cluster in both halves", async () => {
  const h = await startHarness({
    scenario: "tiny",
    profile: "polaris",
    others: [{ name: "second", scenario: "golden" }],
  });
  try {
    const called = await exerciseEveryTool(h, (name, result) => {
      assertTextCarriesIds(name, result);
      if (name === "list_clusters") return;
      assert.match(textOf(result), /^\[tiny\] /, `${name}'s text names its cluster first`);
      if (!result.isError) {
        assert.equal(
          (result.structuredContent as { cluster?: string }).cluster,
          "tiny",
          `${name} names its cluster`,
        );
      }
    });
    assert.deepEqual(
      TOOL_INVENTORY.map((e) => e.tool.name).filter((name) => !called.has(name)),
      [],
      "every tool of the inventory is exercised",
    );
  } finally {
    await h.close();
  }
});

Deno.test("the id check catches a text without rows", () => {
  // The check itself: a list whose text carries only counts must fail it.
  const countsOnly: CallToolResult = {
    content: [{ type: "text", text: "2 of 2 jobs. By state: R 2." }],
    structuredContent: { jobs: [{ id: "1.vm", name: "a", state: "R" }, { id: "2.vm" }] },
  };
  assert.throws(() => assertTextCarriesIds("list_jobs", countsOnly), /1\.vm|2\.vm/);
});
