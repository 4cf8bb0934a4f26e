/**
 * Submit a job and follow it to the end, through a real MCP client talking to
 * the server in demo mode:
 *
 *   deno run --allow-run --allow-env --allow-read examples/simple_submit.ts
 */
import { connectToDemo, textOf } from "./connect.ts";

const script = `#!/bin/bash
#SIM runtime=45 exit=0
echo "hello from the simulated cluster"
echo "computing..."
echo "done"
`;

const { client, close } = await connectToDemo("simple-submit-example");
try {
  console.log("== get_server_info");
  console.log(textOf(await client.callTool({ name: "get_server_info", arguments: {} })));

  console.log("\n== submit_job (dry run)");
  const args = { script, job_name: "hello", walltime: "00:05:00", ncpus: 2 };
  console.log(
    textOf(await client.callTool({ name: "submit_job", arguments: { ...args, dry_run: true } })),
  );

  console.log("\n== submit_job");
  const submitted = await client.callTool({ name: "submit_job", arguments: args });
  console.log(textOf(submitted));
  const jobId = (submitted.structuredContent as { job_id: string }).job_id;

  console.log("\n== wait_for_job");
  const waited = await client.callTool(
    { name: "wait_for_job", arguments: { job_id: jobId, until: "finished", timeout_seconds: 60 } },
    {
      onprogress: (p: { progress: number; message?: string }) =>
        console.log(`   progress: ${p.message ?? p.progress}`),
    },
  );
  console.log(textOf(waited));

  console.log("\n== get_job_status");
  console.log(
    textOf(await client.callTool({ name: "get_job_status", arguments: { job_id: jobId } })),
  );

  console.log("\n== get_job_output");
  console.log(
    textOf(await client.callTool({ name: "get_job_output", arguments: { job_id: jobId } })),
  );
} finally {
  await close();
}
