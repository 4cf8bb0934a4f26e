/**
 * The cluster, reservation and script tools through the SDK client: valid
 * input, the ways users get it wrong, and answer sizes on an Aurora-sized
 * system.
 */
import assert from "node:assert/strict";
import { halvesOf, type Harness, sizeOf, startHarness, textOf } from "./harness.ts";
import { CLUSTER_TOOLS } from "./contract.ts";

interface QueueView {
  name: string;
  type: string;
  enabled: boolean;
  started: boolean;
  total_jobs: number;
  jobs_by_state: Record<string, number>;
  limits: Record<string, string | number>;
  defaults: Record<string, string | number>;
  route_destinations?: string[];
  acl_users?: string[];
}

interface NodeList {
  summary: {
    nodes: Record<"total" | "free" | "busy" | "offline" | "down", number>;
    cpus: { total: number; free: number };
    gpus: { total: number; free: number };
  };
  nodes: { name: string; state: string; cpus: string; gpus?: string; jobs: number }[];
  total: number;
  returned: number;
  next_cursor?: string;
}

/** ISO 8601 UTC for a simulated epoch time. */
function iso(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}

Deno.test("cluster tools are described for a newcomer", async (t) => {
  // get_allocation needs a profile, list_clusters a second cluster.
  const h = await startHarness({
    profile: "polaris",
    others: [{ name: "second", scenario: "tiny" }],
  });
  try {
    const byName = new Map((await h.tools()).map((tool) => [tool.name, tool]));

    await t.step("each is registered with an output schema and a real description", () => {
      for (const name of CLUSTER_TOOLS) {
        const tool = byName.get(name);
        assert.ok(tool, `${name} is missing`);
        assert.ok(tool.outputSchema, `${name} has no outputSchema`);
        const description = tool.description ?? "";
        assert.ok(description.length > 100, `${name}: description too thin`);
        assert.ok(description.length < 800, `${name}: ${description.length} characters`);
      }
    });
  } finally {
    await h.close();
  }
});

Deno.test("list_queues on the golden complex", async (t) => {
  const h = await startHarness({ scenario: "golden" });
  try {
    const answer = await h.ok<{ queues: QueueView[]; default_queue?: string; total: number }>(
      "list_queues",
    );
    const q = new Map(answer.queues.map((queue) => [queue.name, queue]));

    await t.step("every queue with type, enabled and started", () => {
      assert.equal(answer.total, answer.queues.length);
      assert.equal(answer.default_queue, "workq");
      assert.deepEqual(
        [q.get("stopped")!.enabled, q.get("stopped")!.started],
        [true, false],
      );
      assert.deepEqual([q.get("closed")!.enabled, q.get("closed")!.started], [false, false]);
      assert.equal(q.get("workq")!.type, "execution");
    });

    await t.step("limits, defaults and routing", () => {
      assert.equal(q.get("debug")!.limits.max_walltime, "01:00:00");
      assert.equal(q.get("debug")!.defaults.walltime, "00:10:00");
      assert.equal(q.get("long")!.limits.min_walltime, "01:00:00");
      assert.equal(q.get("route")!.type, "route");
      assert.deepEqual(q.get("route")!.route_destinations, ["debug", "long"]);
      assert.deepEqual(q.get("private")!.acl_users, ["bob"]);
    });

    await t.step("jobs by state follow submissions", async () => {
      await h.ok("submit_job", { script: "#SIM runtime=600\n", queue: "stopped" });
      const one = await h.ok<{ queues: QueueView[] }>("list_queues", { queue: "stopped" });
      assert.equal(one.queues.length, 1);
      assert.deepEqual(one.queues[0].jobs_by_state, { Queued: 1 });
    });

    await t.step("an unknown queue is an error naming the known ones", async () => {
      const failure = await h.fail("list_queues", { queue: "nosuchq" });
      assert.equal(failure.error?.kind, "unknown_queue");
      assert.match(failure.error!.hint, /workq/);
    });

    await t.step("a malformed queue name is refused by the schema", async () => {
      const failure = await h.fail("list_queues", { queue: "-bad" });
      assert.match(failure.text, /starts with '-'/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("list_nodes on the tiny complex", async (t) => {
  const h = await startHarness({ scenario: "tiny" });
  try {
    await t.step("summary counts nodes, cpus and gpus", async () => {
      const list = await h.ok<NodeList>("list_nodes");
      assert.deepEqual(list.summary.nodes, { total: 5, free: 5, busy: 0, offline: 0, down: 0 });
      assert.deepEqual(list.summary.cpus, { total: 48, free: 48 });
      assert.deepEqual(list.summary.gpus, { total: 2, free: 2 });
      const gpu = list.nodes.find((n) => n.name === "gpu01")!;
      assert.deepEqual(gpu, { name: "gpu01", state: "free", cpus: "16/16", gpus: "2/2", jobs: 0 });
      assert.equal(list.nodes.find((n) => n.name === "node01")!.gpus, undefined);
    });

    await t.step("a running job shows up as used cpus", async () => {
      await h.ok("submit_job", { script: "#SIM runtime=3000\n", select: "1:ncpus=8" });
      h.advance(60);
      const list = await h.ok<NodeList>("list_nodes");
      assert.equal(list.summary.cpus.free, 40);
      assert.equal(list.summary.nodes.busy, 1);
      const busy = await h.ok<NodeList>("list_nodes", { state_filter: "busy" });
      assert.equal(busy.total, 1);
      assert.equal(busy.nodes[0].cpus, "0/8");
      assert.equal(busy.nodes[0].jobs, 1);
      const free = await h.ok<NodeList>("list_nodes", { state_filter: "free" });
      assert.equal(free.total, 4);
      assert.ok(free.nodes.every((n) => n.state === "free"));
    });

    await t.step("pages with limit and cursor cover every node once", async () => {
      const first = await h.ok<NodeList>("list_nodes", { limit: 2 });
      assert.equal(first.returned, 2);
      assert.ok(first.next_cursor);
      const seen = first.nodes.map((n) => n.name);
      let cursor: string | undefined = first.next_cursor;
      while (cursor) {
        const page: NodeList = await h.ok<NodeList>("list_nodes", { limit: 2, cursor });
        seen.push(...page.nodes.map((n) => n.name));
        cursor = page.next_cursor;
      }
      assert.equal(new Set(seen).size, 5);
      assert.equal(seen.length, 5);
    });

    await t.step("summary_only returns no rows", async () => {
      const list = await h.ok<NodeList>("list_nodes", { summary_only: true });
      assert.deepEqual(list.nodes, []);
      assert.equal(list.summary.nodes.total, 5);
    });

    await t.step(
      "a cursor from another filter, junk cursors and bad filters are refused",
      async () => {
        const first = await h.ok<NodeList>("list_nodes", { limit: 1, state_filter: "free" });
        const mixed = await h.fail("list_nodes", { limit: 1, cursor: first.next_cursor });
        assert.equal(mixed.error?.kind, "invalid_input");
        assert.match(mixed.error!.hint, /same filters/);
        const junk = await h.fail("list_nodes", { cursor: "not-a-cursor" });
        assert.equal(junk.error?.kind, "invalid_input");
        const bad = await h.fail("list_nodes", { state_filter: "sleepy" });
        assert.match(bad.text, /state_filter must be one of free, busy, offline, down, all/);
        const tooMany = await h.fail("list_nodes", { limit: 100_000 });
        assert.match(tooMany.text, /limit must be a whole number from 1 to 200/);
      },
    );
  } finally {
    await h.close();
  }
});

Deno.test("get_server_info and check_privileges", async (t) => {
  const h = await startHarness({ scenario: "golden" });
  try {
    await t.step("server facts and this server's own metrics", async () => {
      await h.ok("list_queues");
      await h.fail("list_queues", { queue: "nosuchq" });
      const info = await h.ok<{
        server: {
          name: string;
          version: string;
          default_queue: string;
          scheduling: boolean;
          history: { enabled: boolean };
        };
        read_only: boolean;
        metrics: {
          tool_calls: Record<string, { calls: number; failures: number }>;
          pbs_commands: Record<string, { calls: number }>;
        };
      }>("get_server_info");
      assert.equal(info.server.name, "vm");
      assert.equal(info.server.version, "23.06.06");
      assert.equal(info.server.default_queue, "workq");
      assert.equal(info.server.scheduling, true);
      assert.equal(info.server.history.enabled, true);
      assert.equal(info.read_only, false);
      assert.deepEqual(
        [info.metrics.tool_calls.list_queues.calls, info.metrics.tool_calls.list_queues.failures],
        [2, 1],
      );
      assert.ok(info.metrics.pbs_commands.qstat.calls >= 2);
    });

    await t.step("alice is a user; root is a manager", async () => {
      const alice = await h.ok<{ user: string; role: string; not_allowed: string[] }>(
        "check_privileges",
      );
      assert.equal(alice.user, "alice");
      assert.equal(alice.role, "user");
      assert.ok(alice.not_allowed.some((a) => /operator holds/.test(a)));
      const root = await h.as("root");
      try {
        const r = await root.ok<{ role: string; not_allowed: string[] }>("check_privileges");
        assert.equal(r.role, "manager");
        assert.deepEqual(r.not_allowed, []);
      } finally {
        await root.close();
      }
    });
  } finally {
    await h.close();
  }
});

Deno.test("check_privileges reads operators and managers from the server", async () => {
  // The tiny scenario's server lists operators = ops@*; qmgr shows it to every user.
  const h = await startHarness({ scenario: "tiny", user: "ops" });
  try {
    const ops = await h.ok<{ role: string; operators: string[]; not_allowed: string[] }>(
      "check_privileges",
    );
    assert.equal(ops.role, "operator");
    assert.ok(ops.operators.includes("ops@*"));
    assert.ok(ops.not_allowed.some((a) => /qmgr/.test(a)), "operators cannot reconfigure");
  } finally {
    await h.close();
  }
});

interface Managed {
  action: string;
  reservation_id: string;
  state?: string;
  reservation?: { id: string; name?: string; owner: string; queue?: string; duration?: string };
  message: string;
}

Deno.test("reservations: create, list, refuse, delete", async (t) => {
  const h = await startHarness({ scenario: "golden" });
  let bob: Harness | undefined;
  try {
    const now = h.complex.now();
    let id = "";

    await t.step("create returns the confirmed reservation and its queue", async () => {
      const made = await h.ok<Managed>("manage_reservation", {
        action: "create",
        start: iso(now + 3600),
        duration: "01:00:00",
        select: "1:ncpus=2",
        name: "myresv",
      });
      id = made.reservation_id;
      assert.match(id, /^R\d+\.vm$/);
      assert.equal(made.state, "RESV_CONFIRMED");
      assert.equal(made.reservation?.name, "myresv");
      assert.equal(made.reservation?.duration, "01:00:00");
      assert.match(made.message, new RegExp(`queue=${made.reservation!.queue}`));
    });

    await t.step("list_reservations shows it, also filtered to me", async () => {
      const all = await h.ok<{ reservations: { id: string; owner: string }[]; total: number }>(
        "list_reservations",
      );
      assert.deepEqual(all.reservations.map((r) => r.id), [id]);
      const mine = await h.ok<{ total: number }>("list_reservations", { user: "me" });
      assert.equal(mine.total, 1);
      const bobs = await h.ok<{ total: number }>("list_reservations", { user: "bob" });
      assert.equal(bobs.total, 0);
    });

    await t.step("modify moves the window through pbs_ralter", async () => {
      const moved = await h.ok<Managed>("manage_reservation", {
        action: "modify",
        reservation_id: id,
        start: iso(now + 7200),
        duration: "00:30:00",
      });
      assert.match(moved.message, /PBS says CONFIRMED/);
      assert.equal(moved.reservation?.duration, "00:30:00");
      const after = h.complex.findReservation(id);
      assert.equal(after.start, now + 7200);
      assert.equal(after.end, now + 7200 + 1800);
    });

    await t.step("a window the reserved node cannot give is denied, the old one kept", async () => {
      // A second reservation takes the whole 8-cpu node three hours from now.
      const blocker = await h.ok<Managed>("manage_reservation", {
        action: "create",
        start: iso(now + 3 * 3600),
        duration: "01:00:00",
        select: "1:ncpus=8",
      });
      const denied = await h.fail("manage_reservation", {
        action: "modify",
        reservation_id: id,
        start: iso(now + 3 * 3600),
      });
      assert.equal(denied.error?.kind, "resource_limit");
      assert.match(denied.error!.pbsMessage ?? "", /DENIED/);
      assert.equal(h.complex.findReservation(id).start, now + 7200);
      await h.ok("manage_reservation", {
        action: "delete",
        reservation_id: blocker.reservation_id,
      });
    });

    await t.step("bob may not delete alice's reservation; the error names the owner", async () => {
      bob = await h.as("bob");
      const failure = await bob.fail("manage_reservation", {
        action: "delete",
        reservation_id: id,
      });
      assert.equal(failure.error?.kind, "permission_denied");
      assert.match(failure.error!.message, /belongs to alice/);
      assert.match(failure.error!.hint, /Only alice or a PBS operator\/manager/);
      assert.match(failure.error!.pbsMessage ?? "", /Unauthorized Request/);
    });

    await t.step("bad times: end before start, start in the past, junk", async () => {
      const backwards = await h.fail("manage_reservation", {
        action: "create",
        start: iso(now + 3600),
        end: iso(now + 1800),
      });
      assert.equal(backwards.error?.kind, "bad_time");
      assert.match(backwards.error!.hint, /end after the start/);
      const past = await h.fail("manage_reservation", {
        action: "create",
        start: iso(now - 3600),
        duration: "01:00:00",
      });
      assert.equal(past.error?.kind, "bad_time");
      const junk = await h.fail("manage_reservation", {
        action: "create",
        start: "tomorrow",
        duration: "01:00:00",
      });
      assert.match(junk.text, /neither ISO 8601/);
    });

    await t.step("incomplete requests say what is missing", async () => {
      const noWindow = await h.fail("manage_reservation", { action: "create", start: iso(now) });
      assert.equal(noWindow.error?.kind, "invalid_input");
      assert.match(noWindow.error!.hint, /duration/);
      const both = await h.fail("manage_reservation", {
        action: "create",
        start: iso(now + 60),
        end: iso(now + 3600),
        duration: "01:00:00",
      });
      assert.match(both.error!.hint, /Give one of them/);
      const noId = await h.fail("manage_reservation", { action: "delete" });
      assert.match(noId.error!.message, /delete needs reservation_id/);
      const nothing = await h.fail("manage_reservation", { action: "modify", reservation_id: id });
      assert.match(nothing.error!.message, /modify needs something to change/);
      const badAction = await h.fail("manage_reservation", { action: "extend" });
      assert.match(badAction.text, /action must be "create", "modify" or "delete"/);
    });

    await t.step("an unknown reservation is an error listing the real ones", async () => {
      const failure = await h.fail("manage_reservation", {
        action: "delete",
        reservation_id: "R999",
      });
      assert.equal(failure.error?.kind, "unknown_reservation");
      assert.match(failure.error!.hint, new RegExp(id.replace(".", "\\.")));
    });

    await t.step("the owner deletes it", async () => {
      const gone = await h.ok<Managed>("manage_reservation", {
        action: "delete",
        reservation_id: id,
      });
      assert.equal(gone.reservation?.id, id);
      const left = await h.ok<{ total: number }>("list_reservations");
      assert.equal(left.total, 0);
    });
  } finally {
    await bob?.close();
    await h.close();
  }
});

Deno.test("answers stay small on an Aurora-sized system", async (t) => {
  const h = await startHarness({ scenario: "aurora" });
  try {
    await t.step("list_nodes with defaults: each half under 8,000 characters", async () => {
      const result = await h.call("list_nodes");
      assert.ok(!result.isError, textOf(result));
      const list = result.structuredContent as unknown as NodeList;
      assert.equal(list.summary.nodes.total, 10_624);
      assert.equal(list.returned, 50);
      const halves = halvesOf(result);
      console.log(
        `aurora list_nodes default: ${sizeOf(result)} characters ` +
          `(text ${halves.text}, structured ${halves.structured})`,
      );
      assert.ok(halves.text <= 8_000 && halves.structured <= 8_000, JSON.stringify(halves));
    });

    await t.step("list_nodes at its largest page stays within 25,000", async () => {
      const result = await h.call("list_nodes", { limit: 200 });
      assert.ok(!result.isError, textOf(result));
      console.log(`aurora list_nodes limit 200: ${sizeOf(result)} characters`);
      assert.ok(sizeOf(result) <= 25_000, `${sizeOf(result)} characters`);
    });

    await t.step("the other cluster answers stay small", async () => {
      for (
        const name of ["list_queues", "get_server_info", "check_privileges", "list_reservations"]
      ) {
        const result = await h.call(name);
        assert.ok(!result.isError, `${name}: ${textOf(result)}`);
        assert.ok(sizeOf(result) < 8_000, `${name}: ${sizeOf(result)} characters`);
      }
    });
  } finally {
    await h.close();
  }
});
