/**
 * Tests never reach a real PBS: a RealRunner configured as the tests configure
 * it (pinned_pbs.ts) runs nothing from an installation that the environment,
 * PATH and pbs.conf all point at. The same environment without the pin does
 * reach the decoy, so the check can fail.
 */
import assert from "node:assert/strict";
import { isPbsError } from "../../src/pbs/errors.ts";
import { PBS_COMMANDS, RealRunner } from "../../src/pbs/real_runner.ts";
import { makeDecoyPbs } from "./decoy_pbs.ts";
import { pinnedRunner } from "./pinned_pbs.ts";

Deno.test("a pinned RealRunner cannot reach a decoy PBS installation", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "pbs-mcp-decoy-" });
  try {
    const decoy = makeDecoyPbs(root);
    const pinned = `${root}/pinned`;
    await Deno.mkdir(pinned);
    await Deno.writeTextFile(`${pinned}/qstat`, "#!/bin/sh\necho pinned qstat\n", { mode: 0o755 });

    await t.step(
      "every PBS command: the pinned fake or command_not_found, never the decoy",
      async () => {
        const runner = pinnedRunner(pinned, { baseEnv: decoy.env });
        for (const name of PBS_COMMANDS) {
          if (name === "qstat") {
            assert.equal((await runner.run(["qstat"])).stdout, "pinned qstat\n");
            continue;
          }
          await assert.rejects(
            runner.run([name]),
            (e) => isPbsError(e) && e.kind === "command_not_found",
            name,
          );
        }
        assert.equal(runner.describeInstallation().qstat, `${pinned}/qstat`);
        assert.deepEqual(decoy.recorded(), []);
      },
    );

    await t.step(
      "control: a runner that looks PBS up from that environment finds the decoy",
      async () => {
        const runner = new RealRunner({ baseEnv: decoy.env });
        const result = await runner.run(["qsub", "-V"]);
        assert.equal(result.code, 1);
        assert.deepEqual(decoy.recorded(), [`${decoy.exec}/bin/qsub -V`]);
      },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
