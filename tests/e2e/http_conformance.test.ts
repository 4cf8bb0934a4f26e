/**
 * The official MCP conformance suite against main.ts --demo --http on
 * loopback. The suite sends no credentials, so a small proxy in front adds
 * the bearer token and passes Host and Origin through unchanged (the server
 * has no switch that turns authentication off).
 *
 * Scenarios run here are those that test this server's own behaviour; the
 * others need the suite's fixture tools, prompts and resources (see
 * SECURITY.md, "Conformance").
 */
import assert from "node:assert/strict";
import { defaultAuditPath } from "../../src/service/audit.ts";
import { computePermissions, demoOutputBase, permissionFlags } from "../../src/permissions.ts";
import { startTokenProxy } from "./http_support.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const SUITE = "npm:@modelcontextprotocol/conformance@0.1.16";
const TOKEN = "conformance-0123456789abcdef0123";

const CONFORMANCE_SCENARIOS = [
  "server-initialize",
  "ping",
  "tools-list",
  "resources-list",
  "prompts-list",
  "logging-set-level",
  "dns-rebinding-protection",
];

/** Reads the child's stderr until the line announcing the URL; keeps draining after. */
async function announcedUrl(stderr: ReadableStream<Uint8Array>, log: string[]): Promise<string> {
  const lines = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (true) {
    const { done, value } = await lines.read();
    if (done) throw new Error(`server exited before listening:\n${log.join("\n")}`);
    buffer += value;
    const found = /serving MCP at (http:\/\/\S+)/.exec(buffer);
    log.push(value);
    if (found) {
      (async () => {
        while (!(await lines.read()).done) { /* drain */ }
      })();
      return found[1];
    }
  }
}

Deno.test({
  name: "conformance suite 0.1.16: the server's own scenarios pass over HTTP",
  fn: async (t) => {
    const env = Deno.env.toObject();
    delete env.PBS_MCP_HTTP_TOKENS_FILE;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        // What `main.ts permissions --demo --http --port 0` grants here.
        ...permissionFlags(computePermissions({
          mode: "demo",
          http: { kind: "tcp", hostname: "127.0.0.1", port: 0 },
          pbsPrograms: [],
          allowedDirs: env.HOME ? [env.HOME] : [],
          auditLog: defaultAuditPath(env.HOME),
          demoOutputBase: demoOutputBase(env.HOME),
        })),
        MAIN,
        "--demo",
        "--scenario",
        "tiny",
        "--http",
        "--port",
        "0",
      ],
      env: { ...env, PBS_MCP_HTTP_TOKEN: TOKEN, PBS_MCP_LOG_LEVEL: "warn" },
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const log: string[] = [];
    let proxy: Deno.HttpServer<Deno.NetAddr> | undefined;
    try {
      const serverUrl = new URL(await announcedUrl(child.stderr, log));
      proxy = startTokenProxy(
        { hostname: serverUrl.hostname, port: Number(serverUrl.port) },
        TOKEN,
      );
      const url = `http://127.0.0.1:${proxy.addr.port}/mcp`;

      // Without the proxy the server refuses the suite: authentication is on.
      const direct = await fetch(serverUrl, { method: "POST", body: "{}" });
      assert.equal(direct.status, 401);
      await direct.body?.cancel();

      for (const scenario of CONFORMANCE_SCENARIOS) {
        await t.step(scenario, async () => {
          const out = await new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "-A",
              "--no-config",
              "--no-lock",
              SUITE,
              "server",
              "--url",
              url,
              "--scenario",
              scenario,
            ],
            stdin: "null",
            stdout: "piped",
            stderr: "piped",
          }).output();
          const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
          assert.equal(out.code, 0, text);
          const summary = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(text);
          assert.ok(summary, text);
          assert.equal(summary[3], "0", text);
          assert.ok(Number(summary[1]) > 0 && summary[1] === summary[2], text);
        });
      }
    } finally {
      await proxy?.shutdown();
      child.kill("SIGTERM");
      const status = await child.status;
      assert.equal(status.code, 0, `server did not shut down cleanly:\n${log.join("")}`);
    }
  },
});
