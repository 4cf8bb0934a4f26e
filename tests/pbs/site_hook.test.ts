/** A submission refused by a site's queuejob hook: the site's words kept, what to change added. */
import assert from "node:assert/strict";
import { golden } from "../golden.ts";
import { classifyFailure, siteHookHint } from "../../src/pbs/catalogue.ts";

Deno.test("a site hook's refusal keeps the site's message and names the resource to add", () => {
  const capture = golden("qsub_hook_rejected_no_filesystems");
  const error = classifyFailure(["qsub", "jobs/short.sh"], {
    code: capture.meta.exit_code,
    stdout: capture.stdout,
    stderr: capture.stderr,
    durationMs: 10,
    timedOut: false,
    truncated: false,
  });
  assert.ok(error);
  assert.equal(error.pbsMessage, "qsub: Job must request -l filesystems=<list> (e.g. home:eagle)");
  assert.equal(
    error.message,
    "The site's submission policy (a PBS queuejob hook) rejected the job: Job must request -l filesystems=<list> (e.g. home:eagle)",
  );
  assert.equal(error.pbsErrno, 15136);
  assert.match(
    error.hint,
    /resource filesystems .*submit_job's filesystems parameter \(e\.g\. filesystems: "home:eagle"\)/,
  );
});

Deno.test("other resources go through extra_resources; no resource named: the message stands", () => {
  assert.match(
    siteHookHint("jobs must set -l project_code (e.g. ABC123)"),
    /extra_resources: \{"project_code": "ABC123"\}/,
  );
  assert.match(
    siteHookHint("Jobs must request -l walltime"),
    /walltime parameter \(e\.g\. walltime: "VALUE"\)/,
  );
  assert.match(siteHookHint("no jobs on Sundays"), /the site's own rule, not a PBS error/);
});
