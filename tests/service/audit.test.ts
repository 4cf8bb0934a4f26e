import assert from "node:assert/strict";
import { join } from "node:path";
import { isPbsError } from "../../src/pbs/errors.ts";
import type { Runner } from "../../src/pbs/runner.ts";
import {
  auditEntry,
  AuditLog,
  defaultAuditPath,
  recordCommands,
  RecordingRunner,
} from "../../src/service/audit.ts";
import { MASK } from "../../src/service/redact.ts";

const fakeRunner: Runner = {
  run(argv) {
    return Promise.resolve({
      stdout: "",
      stderr: "",
      code: argv[0] === "qdel" ? 15 : 0,
      timedOut: false,
      truncated: false,
      durationMs: 1,
    });
  },
};

Deno.test("audit log", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await t.step("default path: the state directory under HOME", () => {
      assert.equal(defaultAuditPath("/h"), "/h/.local/state/pbs-mcp/audit.jsonl");
      assert.equal(defaultAuditPath(undefined), undefined);
    });

    await t.step("no path at all: every change is refused", async () => {
      await assert.rejects(new AuditLog(undefined).ready(), /PBS_MCP_AUDIT_LOG/);
    });

    await t.step("one redacted line per entry, directory 0700 and file 0600", async () => {
      const path = join(dir, "state", "pbs-mcp", "audit.jsonl");
      const log = new AuditLog(path);
      const runner = new RecordingRunner(fakeRunner);
      const { commands, outcome } = await recordCommands(async () => {
        await runner.run(["qsub", "-v", "API_TOKEN=abc123", "--", "/bin/true"]);
        await runner.run(["qdel", "12.server"]);
        return "12.server";
      });
      assert.deepEqual(outcome, { value: "12.server" });
      await log.append(auditEntry({
        tool: "submit_job",
        caller: "alice",
        arguments: { env: { API_TOKEN: "abc123" }, script: "echo password=hunter2" },
        commands,
        jobIds: ["12.server"],
        confirmation: "not_needed",
      }));
      await log.append(auditEntry({
        tool: "delete_job",
        caller: "alice",
        arguments: { job_id: "12" },
        commands: [],
        jobIds: [],
        confirmation: "declined",
        error: { kind: "not_confirmed", message: "declined" },
      }));
      const lines = (await Deno.readTextFile(path)).trim().split("\n");
      assert.equal(lines.length, 2);
      const first = JSON.parse(lines[0]);
      assert.equal(first.tool, "submit_job");
      assert.equal(first.arguments.env.API_TOKEN, MASK);
      assert.equal(first.arguments.script, `echo password=${MASK}`);
      assert.deepEqual(first.commands, [
        { argv: ["qsub", "-v", `API_TOKEN=${MASK}`, "--", "/bin/true"], exit_code: 0 },
        { argv: ["qdel", "12.server"], exit_code: 15 },
      ]);
      assert.ok(!lines[0].includes("abc123") && !lines[0].includes("hunter2"));
      assert.equal(JSON.parse(lines[1]).result, "error");
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(join(dir, "state", "pbs-mcp"))).mode! & 0o777, 0o700);
    });

    await t.step("commands run outside a record are not collected", async () => {
      const runner = new RecordingRunner(fakeRunner);
      await runner.run(["qstat"]);
      const { commands } = await recordCommands(() => Promise.resolve(1));
      assert.deepEqual(commands, []);
    });

    await t.step("an unwritable log refuses with audit_unavailable and the fix", async () => {
      const blocker = join(dir, "not-a-dir");
      await Deno.writeTextFile(blocker, "x");
      const log = new AuditLog(join(blocker, "audit.jsonl"));
      await assert.rejects(log.ready(), (error) => {
        assert.ok(isPbsError(error));
        assert.equal(error.kind, "audit_unavailable");
        assert.match(error.message, /no change was made/);
        assert.match(error.hint, /PBS_MCP_AUDIT_LOG/);
        return true;
      });
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
