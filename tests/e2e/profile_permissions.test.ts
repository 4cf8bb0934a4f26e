/**
 * A site profile in real mode, end to end with least privilege: with
 * PBS_MCP_PROFILE=polaris, `main.ts permissions` grants the profile's
 * allocation command (found in the fake installation like PBS's commands),
 * and the server started with exactly those flags answers get_allocation
 * from it and adds the profile's filesystems to a submission.
 */
import assert from "node:assert/strict";
import { CHILD_PATH } from "./pinned_pbs.ts";
import { printedPermissions, stdioServer } from "./demo_child.ts";

const GOLDEN = new URL("../fixtures/golden/", import.meta.url).pathname;

async function denoDir(): Promise<string> {
  const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
    .output();
  return JSON.parse(new TextDecoder().decode(stdout)).denoDir;
}

Deno.test("PBS_MCP_PROFILE=polaris in real mode: granted and used", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "pbs-mcp-profile-e2e-" });
  try {
    const home = `${root}/home`;
    const bin = `${root}/pbs/bin`;
    await Deno.mkdir(home, { recursive: true });
    await Deno.mkdir(bin, { recursive: true });
    const programs: Record<string, string> = {
      qstat: `case "$*" in *-Bf*) cat '${GOLDEN}qstat_Bf_json.out' ;; ` +
        `*-Qf*) cat '${GOLDEN}qstat_Qf_json.out' ;; *) exit 1 ;; esac`,
      "sbank-list-allocations": [
        `[ "$*" = "-r polaris" ] || exit 3`,
        "echo ' Project   Resource  End         Balance'",
        "echo ' -------   --------  ----------  -------'",
        "echo ' Climate   polaris   2027-01-01  1,500.0'",
      ].join("\n"),
    };
    for (const [name, body] of Object.entries(programs)) {
      await Deno.writeTextFile(`${bin}/${name}`, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    }
    const env = {
      HOME: home,
      PATH: CHILD_PATH,
      PBS_EXEC: `${root}/pbs`,
      PBS_CONF_FILE: `${root}/no-pbs.conf`,
      PBS_MCP_PROFILE: "polaris",
      PBS_MCP_LOG_LEVEL: "warn",
      DENO_DIR: await denoDir(),
    };
    const { args } = JSON.parse(await printedPermissions(env, true)) as { args: string[] };
    const run = args.find((a) => a.startsWith("--allow-run="))?.split("=")[1].split(",") ?? [];

    await t.step("the allocation command is granted, by its path", () => {
      assert.ok(run.includes(`${bin}/sbank-list-allocations`), run.join(","));
    });

    await t.step("the server with those flags answers from it", async () => {
      const { client, transport, stderr } = stdioServer(args, env, {
        cwd: root,
        name: "e2e-profile",
      });
      try {
        await client.connect(transport);
        const result = await client.callTool({ name: "get_allocation", arguments: {} });
        assert.ok(!result.isError, JSON.stringify(result) + stderr());
        assert.deepEqual(result.structuredContent, {
          unit: "node-hours",
          allocations: [
            { project: "Climate", balance: 1500, resource: "polaris", end: "2027-01-01" },
          ],
        });
        const plan = await client.callTool({
          name: "submit_job",
          arguments: { script: "#!/bin/bash\nhostname\n", dry_run: true },
        });
        assert.ok(!plan.isError, JSON.stringify(plan) + stderr());
        assert.match(
          (plan.structuredContent as { command: string }).command,
          /-l filesystems=home:eagle/,
        );
      } finally {
        await client.close();
      }
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
