import assert from "node:assert/strict";
import { currentReference, expectedReadme } from "../../scripts/reference.ts";

const CONTRACT_TOOLS = [
  "submit_job",
  "get_job_status",
  "list_jobs",
  "get_job_summary",
  "delete_job",
  "hold_job",
  "release_job",
  "modify_job",
  "submit_batch_jobs",
  "submit_dependent_jobs",
  "wait_for_job",
  "get_job_output",
  "diagnose_job",
  "list_queues",
  "list_nodes",
  "get_server_info",
  "check_privileges",
  "list_reservations",
  "manage_reservation",
  "generate_job_script",
];

Deno.test("README's reference section is generated from the registered definitions", async (t) => {
  await t.step("it is up to date (else: deno task reference)", async () => {
    const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
    assert.equal(readme, await expectedReadme(readme), "README reference is stale");
  });

  await t.step("every tool of the public contract is in it", async () => {
    const reference = await currentReference();
    for (const tool of CONTRACT_TOOLS) {
      assert.ok(reference.includes(`#### \`${tool}\``), `${tool} missing from the reference`);
    }
  });
});
