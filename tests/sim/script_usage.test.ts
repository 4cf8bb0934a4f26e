/** `#SIM cpu= mem=`: a job script decides what resources_used reports. */
import assert from "node:assert/strict";
import { createScenario } from "../../sim/scenarios.ts";
import { parseScriptBehaviour } from "../../sim/script.ts";
import { alice, attr, submit } from "./engine_helpers.ts";

Deno.test("#SIM cpu and mem are parsed; the last value wins; sizes become kb", () => {
  const b = parseScriptBehaviour("#SIM runtime=600 cpu=10 mem=1gb\n#SIM cpu=25\nsleep 1\n");
  assert.equal(b.runtimeSeconds, 600);
  assert.equal(b.cpuPercent, 25);
  assert.equal(b.memKb, 1024 * 1024);
  assert.equal(parseScriptBehaviour("#SIM mem=512mb").memKb, 512 * 1024);
  assert.equal(parseScriptBehaviour("#SIM mem=2048").memKb, 2);
  assert.equal(parseScriptBehaviour("#SIM cpu=250").cpuPercent, 100);
  const plain = parseScriptBehaviour("#SIM runtime=5");
  assert.equal(plain.cpuPercent, undefined);
  assert.equal(plain.memKb, undefined);
});

Deno.test("a finished job's resources_used follows #SIM cpu and mem", () => {
  const c = createScenario("tiny", { seed: 1 });
  const job = submit(c, alice, {
    resources: [["ncpus", "4"], ["mem", "8gb"]],
    script: "#SIM runtime=600 cpu=25 mem=2gb",
  });
  assert.equal(job.state, "R");
  c.advance(700);
  assert.equal(job.state, "F");
  assert.equal(attr(c, job, "resources_used.walltime"), "00:10:00");
  // 600 s × 25 % × 4 cpus = 600 cpu-seconds.
  assert.equal(attr(c, job, "resources_used.cput"), "00:10:00");
  assert.equal(attr(c, job, "resources_used.mem"), `${2 * 1024 * 1024}kb`);
});
