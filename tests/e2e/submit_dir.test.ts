/**
 * PBS writes a job's output to the directory qsub ran in (PBS_O_WORKDIR):
 * the server runs qsub in config.submitDir, and the simulator, like OpenPBS,
 * takes the default output paths from that directory.
 */
import assert from "node:assert/strict";
import { startHarness } from "../mcp/harness.ts";

Deno.test("job output lands in the submit directory", async () => {
  const outputDir = await Deno.makeTempDir({ prefix: "pbs-mcp-submit-dir-" });
  const submitDir = `${outputDir}/home/alice/runs`;
  const h = await startHarness({ outputDir, config: { submitDir } });
  try {
    const { job_id } = await h.ok<{ job_id: string }>("submit_job", {
      script: "#!/bin/bash\n#SIM runtime=30 exit=0\necho from the submit dir\n",
      job_name: "wd",
      walltime: "00:05:00",
    });
    h.advance(120);
    const output = await h.ok<{ text: string; path: string }>("get_job_output", { job_id });
    assert.match(output.text, /^from the submit dir$/m);
    const seq = job_id.split(".")[0];
    const file = `${submitDir}/wd.o${seq}`;
    assert.equal(output.path, file);
    assert.match(await Deno.readTextFile(file), /from the submit dir/);
  } finally {
    await h.close();
    await Deno.remove(outputDir, { recursive: true });
  }
});
