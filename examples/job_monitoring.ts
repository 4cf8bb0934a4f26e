/**
 * Watch a busy simulated machine: the queue picture, your jobs, and why a
 * pending job is not running.
 *
 *   deno run --allow-run --allow-env --allow-read examples/job_monitoring.ts
 */
import { connectToDemo, textOf } from "./connect.ts";

const { client, close } = await connectToDemo("job-monitoring-example", { scenario: "polaris" });
try {
  console.log("== list_queues");
  console.log(textOf(await client.callTool({ name: "list_queues", arguments: {} })));

  console.log("\n== list_nodes (summary only)");
  console.log(
    textOf(await client.callTool({ name: "list_nodes", arguments: { summary_only: true } })),
  );

  console.log("\n== get_job_summary");
  console.log(textOf(await client.callTool({ name: "get_job_summary", arguments: {} })));

  console.log("\n== submit a job too big to start soon, then ask why it waits");
  const submitted = await client.callTool({
    name: "submit_job",
    arguments: {
      script: "#!/bin/bash\n#SIM runtime=600\nhostname\n",
      job_name: "bigrun",
      queue: "prod",
      walltime: "01:00:00",
      node_count: 400,
    },
  });
  console.log(textOf(submitted));
  if (!submitted.isError) {
    const jobId = (submitted.structuredContent as { job_id: string }).job_id;
    // The scheduler runs in cycles, and reads are cached for 3 s (PBS_MCP_CACHE_TTL_MS):
    // wait a little (at 120× speed, 4 s is 8 simulated minutes).
    await new Promise((resolve) => setTimeout(resolve, 4000));
    console.log("\n== diagnose_job");
    console.log(
      textOf(await client.callTool({ name: "diagnose_job", arguments: { job_id: jobId } })),
    );
  }

  console.log("\n== list_jobs (pending, first page)");
  console.log(
    textOf(
      await client.callTool({
        name: "list_jobs",
        arguments: { state_filter: "queued", limit: 10 },
      }),
    ),
  );
} finally {
  await close();
}
