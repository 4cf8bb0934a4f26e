/**
 * A site profile's allocation command through the real runner: a real
 * process, found on the lookup path like PBS's commands, allowed only when
 * the runner is told it is the profile's (main.ts passes allocationPrograms).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { RealRunner } from "../../src/pbs/real_runner.ts";
import { loadConfig } from "../../src/service/config.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { allocationPrograms, loadProfile } from "../../src/service/profiles.ts";

const TABLE = [
  " Allocation  Suballocation  Start       End         Resource  Project   Jobs  Charged  Balance",
  " ----------  -------------  ----------  ----------  --------  --------  ----  -------  ---------",
  " 101         201            2026-01-01  2027-01-01  polaris   Climate   3     10.0     -2,345.5",
];

Deno.test("the allocation command runs through the real runner, and only it", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-mcp-sbank-" });
  try {
    const program = join(dir, "sbank-list-allocations");
    // Prints the table only when called with the profile's arguments.
    await Deno.writeTextFile(
      program,
      `#!/bin/sh\n[ "$1 $2" = "-r polaris" ] || exit 3\ncat <<'EOF'\n${TABLE.join("\n")}\nEOF\n`,
    );
    await Deno.chmod(program, 0o755);
    const profile = await loadProfile("polaris");
    const lookup = { path: [dir] };

    await t.step("granted: get_allocation's rows come from the program's table", async () => {
      const runner = new RealRunner({ lookup, extraPrograms: allocationPrograms(profile) });
      const client = new PbsClient({ runner, user: "alice", config: loadConfig({}), profile });
      assert.deepEqual(await client.allocations(), {
        unit: "node-hours",
        rows: [{ project: "Climate", balance: -2345.5, resource: "polaris", end: "2027-01-01" }],
      });
    });

    await t.step("not granted: the runner refuses it as not a PBS command", async () => {
      const runner = new RealRunner({ lookup });
      await assert.rejects(
        () => runner.run(["sbank-list-allocations", "-r", "polaris"]),
        /not a PBS command this server may execute/,
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
