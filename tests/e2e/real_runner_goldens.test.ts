/**
 * The production path without a cluster: the MCP server on PbsClient on the
 * RealRunner, which runs real processes — fake `qstat`/`qsub` executables that
 * replay recorded OpenPBS captures (stdout, stderr and exit code) for the
 * command lines the service sends. What `deno task start` does on a login
 * node, down to the bytes PBS printed.
 */
import assert from "node:assert/strict";
import { type CallToolResult, Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { silentLogger } from "../../src/mcp/logger.ts";
import { createMcpServer } from "../../src/mcp/server.ts";
import { errorDetailsOf } from "../../src/mcp/tool_kit.ts";
import { loadConfig } from "../../src/service/config.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { pinnedRunner } from "./pinned_pbs.ts";

const GOLDEN = new URL("../fixtures/golden/", import.meta.url).pathname;

/** A shell `case` arm replaying capture NAME (stdout, stderr, its exit code). */
function replay(pattern: string, name: string): string {
  const meta = JSON.parse(Deno.readTextFileSync(`${GOLDEN}${name}.meta`));
  return `  ${pattern}) cat '${GOLDEN}${name}.out'; cat '${GOLDEN}${name}.err' >&2; exit ${meta.exit_code} ;;`;
}

/**
 * Fake PBS commands. A file named `down` in their directory makes qstat answer
 * as it did with the server stopped.
 */
async function fakePbs(dir: string): Promise<void> {
  const qstat = [
    "#!/bin/sh",
    `[ -e '${dir}/down' ] && { cat '${GOLDEN}server_down_qstat_B.err' >&2; exit 255; }`,
    'case "$*" in',
    replay("*-Bf*", "qstat_Bf_json"),
    replay("*99999*", "qstat_f_json_99999"),
    replay("*15.vm*", "qstat_fx_json_finished"),
    replay("*1.vm*", "qstat_fx_json_finished_ok"),
    "  *) echo 'fake qstat: unexpected arguments' >&2; exit 99 ;;",
    "esac",
  ];
  const qsub = [
    "#!/bin/sh",
    // qsub reads the script from stdin; keep it, and where qsub ran, where the test can look.
    `cat > '${dir}/last_script'`,
    `pwd > '${dir}/qsub_cwd'`,
    'case "$*" in',
    replay("*walltime=02:00:00*", "qsub_err_walltime_over_max"),
    replay("*", "qsub_basic"),
    "esac",
  ];
  for (const [name, lines] of [["qstat", qstat], ["qsub", qsub]] as const) {
    await Deno.writeTextFile(`${dir}/${name}`, lines.join("\n") + "\n", { mode: 0o755 });
  }
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  return await client.callTool({ name, arguments: args }) as CallToolResult;
}

Deno.test("real processes replaying OpenPBS captures, through the MCP server", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-mcp-fake-pbs-" });
  await fakePbs(dir);
  const submitDir = `${dir}/submit`;
  await Deno.mkdir(submitDir);
  const pbs = new PbsClient({
    runner: pinnedRunner(dir),
    user: "alice",
    config: { ...loadConfig({}, dir), cacheTtlMs: 0, submitDir, auditLog: `${dir}/audit.jsonl` },
  });
  const client = new Client({ name: "e2e", version: "1" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(pbs, silentLogger).connect(serverSide);
  await client.connect(clientSide);
  await client.listTools();
  try {
    await t.step("get_server_info reads the real qstat -Bf -F json", async () => {
      const info = await call(client, "get_server_info", {});
      assert.ok(!info.isError, JSON.stringify(info.content));
      const server = (info.structuredContent as { server: Record<string, unknown> }).server;
      assert.equal(server.name, "vm");
      assert.equal(server.version, "23.06.06");
      assert.equal(server.default_queue, "workq");
      const installation = (info.structuredContent as { installation: Record<string, unknown> })
        .installation;
      assert.deepEqual(installation, {
        source: "PATH",
        qstat: `${dir}/qstat`,
        description: `PBS commands from ${dir} (found through PATH)`,
      });
      const text = (info.content as { text: string }[])[0].text;
      assert.ok(text.includes(`PBS installation: PBS commands from ${dir}`), text);
    });

    await t.step("get_job_status of a finished job: exit 3 from the capture", async () => {
      const status = await call(client, "get_job_status", { job_id: "15.vm" });
      assert.ok(!status.isError, JSON.stringify(status.content));
      const view = status.structuredContent as { state: string; exit?: { code: number } };
      assert.equal(view.state, "F");
      assert.equal(view.exit?.code, 3);
    });

    await t.step("an unknown job: PBS's own message, typed", async () => {
      const failure = await call(client, "get_job_status", { job_id: "99999" });
      assert.equal(failure.isError, true);
      const error = errorDetailsOf(failure)!;
      assert.equal(error.kind, "unknown_job");
      assert.equal(error.pbsMessage, "qstat: Unknown Job Id 99999.vm");
      assert.equal(error.exitCode, 153);
    });

    await t.step("submit_job sends the script on stdin and reports the new job", async () => {
      const script = "#!/bin/bash\n#PBS -l walltime=00:05:00\nhostname\n";
      const submitted = await call(client, "submit_job", { script, job_name: "shortjob" });
      assert.ok(!submitted.isError, JSON.stringify(submitted.content));
      const answer = submitted.structuredContent as { job_id: string; queue?: string };
      assert.equal(answer.job_id, "1.vm");
      assert.equal(answer.queue, "workq");
      assert.equal(await Deno.readTextFile(`${dir}/last_script`), script);
      // PBS writes the job's output where qsub ran: the configured submit directory.
      assert.equal((await Deno.readTextFile(`${dir}/qsub_cwd`)).trim(), submitDir);
    });

    await t.step("a queue limit violation: resource_limit with a hint", async () => {
      const failure = await call(client, "submit_job", {
        script: "hostname\n",
        queue: "debug",
        walltime: "02:00:00",
      });
      const error = errorDetailsOf(failure)!;
      assert.equal(error.kind, "resource_limit");
      assert.equal(error.pbsMessage, "qsub: Job violates queue and/or server resource limits");
      assert.match(error.hint, /list_queues/);
    });

    await t.step("the server going down: server_unreachable", async () => {
      await Deno.writeTextFile(`${dir}/down`, "");
      const failure = await call(client, "get_server_info", {});
      assert.equal(errorDetailsOf(failure)?.kind, "server_unreachable");
    });
  } finally {
    await client.close();
    await Deno.remove(dir, { recursive: true });
  }
});
