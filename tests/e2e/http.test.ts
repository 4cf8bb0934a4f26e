/**
 * The HTTP transport on a real Deno.serve listener (127.0.0.1, port 0, and a
 * Unix socket): an SDK Client over Streamable HTTP, and raw requests for each
 * refusal. Every refused request is a `tools/call list_queues` that would run
 * qstat if it got through, and each asserts that PBS saw no command.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { join } from "node:path";
import {
  type CallToolResult,
  Client,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { serveHttp } from "../../src/transports/http.ts";
import { ALICE, BOB, startTestServer, type TestServer } from "./http_support.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ACCEPT = "application/json, text/event-stream";

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "raw", version: "0" },
  },
};

function listQueues(padding = ""): unknown {
  return {
    jsonrpc: "2.0",
    id: 2,
    method: "tools/call",
    params: { name: "list_queues", arguments: padding ? { padding } : {} },
  };
}

function mcpUrl(s: TestServer): string {
  return s.server.url;
}

async function post(
  s: TestServer,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return await fetch(mcpUrl(s), {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
  });
}

/** Opens a session for `token` with raw requests; returns its id. */
async function openSession(s: TestServer, token: string): Promise<string> {
  const response = await post(s, INITIALIZE, { authorization: `Bearer ${token}` });
  assert.equal(response.status, 200);
  await response.body?.cancel();
  const id = response.headers.get("mcp-session-id");
  assert.ok(id, "initialize returns a session id");
  const initialized = await post(s, { jsonrpc: "2.0", method: "notifications/initialized" }, {
    authorization: `Bearer ${token}`,
    "mcp-session-id": id,
  });
  assert.equal(initialized.status, 202);
  await initialized.body?.cancel();
  return id;
}

/**
 * Asserts that `attempt` gets `status` and that PBS saw no command, then
 * that the same call done right does run one (so the refusal is what kept
 * PBS untouched). Returns the refused response.
 */
async function refusedWithoutPbs(
  s: TestServer,
  status: number,
  attempt: () => Promise<Response>,
  control: () => Promise<Response>,
): Promise<Response> {
  const before = s.runner.argvs.length;
  const response = await attempt();
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(s.runner.argvs.length, before, "a refused request ran no PBS command");
  const allowed = await control();
  assert.equal(allowed.status, 200);
  await allowed.text();
  assert.ok(s.runner.argvs.length > before, "the same request, allowed, runs PBS");
  return new Response(text, { status: response.status, headers: response.headers });
}

Deno.test("HTTP: an SDK client lists tools and calls one; the caller is the token's name", async () => {
  const s = await startTestServer({
    extraTool: {
      name: "test_whoami",
      run: (extra) => ({
        clientId: extra.http?.authInfo?.clientId,
        token: extra.http?.authInfo?.token,
      }),
    },
  });
  const client = new Client({ name: "http-e2e", version: "1" });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl(s)), {
    requestInit: { headers: { Authorization: `Bearer ${ALICE.token}` } },
  });
  try {
    await client.connect(transport);
    assert.ok(transport.sessionId, "a 2025-era client gets a session");
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool: { name: string }) => tool.name === "list_queues"));
    const result = await client.callTool({ name: "list_queues", arguments: {} }) as CallToolResult;
    assert.ok(!result.isError, JSON.stringify(result.content));
    const queues = (result.structuredContent as { queues: { name: string }[] }).queues;
    assert.ok(queues.length > 0);
    assert.ok(s.runner.argvs.some((argv) => argv[0] === "qstat"), "the call reached PBS");

    const who = await client.callTool({ name: "test_whoami", arguments: {} }) as CallToolResult;
    const seen = who.structuredContent as { clientId: string; token: string };
    assert.equal(seen.clientId, ALICE.name);
    assert.ok(!seen.token.includes(ALICE.token), "the secret is not passed to tools");
    await transport.terminateSession();
  } finally {
    await client.close();
    await s.close();
  }
});

Deno.test("HTTP: refused requests get the right status and run no PBS command", async (t) => {
  const s = await startTestServer({ limits: { maxBodyBytes: 16 * 1024, ratePerMinute: 1000 } });
  const session = await openSession(s, ALICE.token);
  const good = { authorization: `Bearer ${ALICE.token}`, "mcp-session-id": session };
  const control = () => post(s, listQueues(), good);
  try {
    await t.step("no token: 401 with WWW-Authenticate: Bearer", async () => {
      const r = await refusedWithoutPbs(
        s,
        401,
        () => post(s, listQueues(), { "mcp-session-id": session }),
        control,
      );
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer\b/);
    });

    await t.step("wrong token: 401, invalid_token", async () => {
      const r = await refusedWithoutPbs(
        s,
        401,
        () =>
          post(s, listQueues(), {
            "mcp-session-id": session,
            authorization: `Bearer ${ALICE.token.slice(0, -1)}x`,
          }),
        control,
      );
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer .*error="invalid_token"/);
    });

    await t.step("another token's session: 404, not shared", async () => {
      await refusedWithoutPbs(
        s,
        404,
        () =>
          post(s, listQueues(), {
            "mcp-session-id": session,
            authorization: `Bearer ${BOB.token}`,
          }),
        control,
      );
    });

    await t.step("foreign Origin: 403", async () => {
      const r = await refusedWithoutPbs(
        s,
        403,
        () => post(s, listQueues(), { ...good, origin: "https://evil.example.com" }),
        control,
      );
      assert.match(await r.text(), /Origin/);
    });

    await t.step("loopback Origin on any port is accepted", async () => {
      for (const origin of ["http://localhost:3000", "http://127.0.0.1:1", "http://[::1]:8080"]) {
        const r = await post(s, listQueues(), { ...good, origin });
        assert.equal(r.status, 200, origin);
        await r.text();
      }
    });

    await t.step("foreign Host: 403", async () => {
      await refusedWithoutPbs(
        s,
        403,
        () =>
          rawRequest(s, "POST", JSON.stringify(listQueues()), {
            ...good,
            host: "evil.example.com",
          }),
        control,
      );
    });

    await t.step("oversized body: 413 (declared and streamed)", async () => {
      await refusedWithoutPbs(
        s,
        413,
        () => post(s, listQueues("x".repeat(20 * 1024)), good),
        control,
      );
      const chunked = () => {
        const bytes = new TextEncoder().encode(JSON.stringify(listQueues("y".repeat(40 * 1024))));
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < bytes.length; i += 4096) {
              controller.enqueue(bytes.slice(i, i + 4096));
            }
            controller.close();
          },
        });
        return fetch(mcpUrl(s), {
          method: "POST",
          headers: { "content-type": "application/json", accept: ACCEPT, ...good },
          body: stream,
        });
      };
      await refusedWithoutPbs(s, 413, chunked, control);
    });

    await t.step("/healthz answers 200 without a token and without PBS", async () => {
      const before = s.runner.argvs.length;
      const r = await fetch(new URL("/healthz", mcpUrl(s)));
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { status: "ok" });
      assert.equal(s.runner.argvs.length, before);
    });

    await t.step("OAuth discovery gets a prompt, clear 404", async () => {
      for (
        const path of [
          "/.well-known/oauth-protected-resource",
          "/.well-known/oauth-protected-resource/mcp",
          "/.well-known/oauth-authorization-server",
        ]
      ) {
        const r = await fetch(new URL(path, mcpUrl(s)));
        assert.equal(r.status, 404, path);
        assert.match((await r.json()).error_description, /static bearer tokens/);
      }
    });
  } finally {
    await s.close();
  }
});

Deno.test("HTTP: over the rate limit → 429 with Retry-After, no PBS command", async () => {
  const s = await startTestServer({ limits: { ratePerMinute: 4 } });
  try {
    // initialize + initialized take two of the four.
    const session = await openSession(s, ALICE.token);
    const good = { authorization: `Bearer ${ALICE.token}`, "mcp-session-id": session };
    for (let i = 0; i < 2; i++) {
      const r = await post(s, listQueues(), good);
      assert.equal(r.status, 200);
      await r.text();
    }
    const before = s.runner.argvs.length;
    const limited = await post(s, listQueues(), good);
    assert.equal(limited.status, 429);
    assert.match(await limited.text(), /PBS_MCP_HTTP_RATE_LIMIT/);
    const retry = Number(limited.headers.get("retry-after"));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal(s.runner.argvs.length, before, "a rate-limited request ran no PBS command");

    // Another token has its own budget; and Alice's refills with time.
    const bob = await post(s, INITIALIZE, { authorization: `Bearer ${BOB.token}` });
    assert.equal(bob.status, 200);
    await bob.body?.cancel();
    s.advance(retry * 1000);
    const again = await post(s, listQueues(), good);
    assert.equal(again.status, 200);
    await again.text();
    assert.ok(s.runner.argvs.length > before);
  } finally {
    await s.close();
  }
});

Deno.test("HTTP: an idle session expires; the client can start a new one", async () => {
  const s = await startTestServer({ limits: { sessionIdleMs: 60_000 } });
  try {
    const session = await openSession(s, ALICE.token);
    const good = { authorization: `Bearer ${ALICE.token}`, "mcp-session-id": session };
    s.advance(30_000);
    const used = await post(s, listQueues(), good);
    assert.equal(used.status, 200, "used within the idle time: still open");
    await used.text();
    s.advance(61_000);
    const before = s.runner.argvs.length;
    const expired = await post(s, listQueues(), good);
    assert.equal(expired.status, 404);
    await expired.text();
    assert.equal(s.runner.argvs.length, before);
    await openSession(s, ALICE.token);
  } finally {
    await s.close();
  }
});

Deno.test("HTTP: sessions beyond the maximum close the least recently used", async () => {
  const s = await startTestServer({ limits: { maxSessions: 2 } });
  try {
    const first = await openSession(s, ALICE.token);
    s.advance(1000);
    const second = await openSession(s, ALICE.token);
    s.advance(1000);
    await openSession(s, ALICE.token);
    const auth = { authorization: `Bearer ${ALICE.token}` };
    const evicted = await post(s, listQueues(), { ...auth, "mcp-session-id": first });
    assert.equal(evicted.status, 404);
    await evicted.text();
    const kept = await post(s, listQueues(), { ...auth, "mcp-session-id": second });
    assert.equal(kept.status, 200);
    await kept.text();
  } finally {
    await s.close();
  }
});

Deno.test("HTTP on a Unix socket: mode 0600, served, never clobbers a file", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-mcp-sock-" });
  const path = join(dir, "mcp.sock");
  const s = await startTestServer({ listen: { kind: "unix", path } });
  try {
    await t.step("the socket is private to its user", async () => {
      const info = await Deno.lstat(path);
      assert.ok(info.isSocket);
      assert.equal(info.mode! & 0o777, 0o600);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["mcp.sock"]);
    });

    await t.step("healthz, 401 without a token, initialize with one", async () => {
      assert.match(await overSocket(path, "GET", "/healthz", ""), /^HTTP\/1\.1 200/);
      const body = JSON.stringify(INITIALIZE);
      assert.match(await overSocket(path, "POST", "/mcp", body), /^HTTP\/1\.1 401/);
      const ok = await overSocket(path, "POST", "/mcp", body, `Bearer ${ALICE.token}`);
      assert.match(ok, /^HTTP\/1\.1 200/);
      assert.match(ok, /"protocolVersion"/);
      assert.equal(s.runner.argvs.length, 0);
    });

    await t.step("a second server refuses the live socket", async () => {
      await assert.rejects(
        serveHttp(
          { fetch: () => Promise.resolve(new Response()), sessionCount: 0, close: () => {} },
          { kind: "unix", path },
          (await import("../../src/mcp/logger.ts")).silentLogger,
        ),
        /another server is listening/,
      );
    });

    await t.step("a stale socket (its server gone) is replaced", async () => {
      const stale = join(dir, "stale.sock");
      // A process that exits without closing its listener leaves the file behind.
      const code = `Deno.listen({ transport: "unix", path: ${
        JSON.stringify(stale)
      } }); Deno.exit(0);`;
      const died = await new Deno.Command(Deno.execPath(), { args: ["eval", code] }).output();
      assert.equal(died.code, 0);
      assert.ok((await Deno.lstat(stale)).isSocket, "a dead socket file is left behind");
      const again = await startTestServer({ listen: { kind: "unix", path: stale } });
      try {
        assert.match(await overSocket(stale, "GET", "/healthz", ""), /^HTTP\/1\.1 200/);
      } finally {
        await again.close();
      }
    });

    await t.step("a regular file at the path is left alone", async () => {
      const file = join(dir, "notes.txt");
      await Deno.writeTextFile(file, "keep me");
      await assert.rejects(
        startTestServer({ listen: { kind: "unix", path: file } }),
        /not a socket; refusing to replace it/,
      );
      assert.equal(await Deno.readTextFile(file), "keep me");
    });
  } finally {
    await s.close();
    await assert.rejects(Deno.lstat(path), Deno.errors.NotFound, "socket removed on shutdown");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HTTPS with --cert/--key: served over TLS, HTTP/2 :authority taken as the Host", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-mcp-tls-" });
  const { ca, cert, key } = await makeCertificates(dir);
  const s = await startTestServer({
    listen: { kind: "tcp", hostname: "127.0.0.1", port: 0, tls: { cert, key } },
  });
  const client = Deno.createHttpClient({ caCerts: [ca] });
  try {
    assert.match(s.server.url, /^https:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const url = s.server.url.replace("127.0.0.1", "localhost");
    const health = await fetch(new URL("/healthz", url), { client });
    assert.equal(health.status, 200);
    await health.body?.cancel();
    const unauthenticated = await fetch(url, { client, method: "POST", body: "{}" });
    assert.equal(unauthenticated.status, 401);
    await unauthenticated.body?.cancel();
    const initialized = await fetch(url, {
      client,
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: ACCEPT,
        authorization: `Bearer ${ALICE.token}`,
      },
      body: JSON.stringify(INITIALIZE),
    });
    assert.equal(initialized.status, 200);
    assert.match(await initialized.text(), /"protocolVersion"/);
  } finally {
    client.close();
    await s.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts --http refuses to start without a token or with a readable tokens file", async () => {
  const env = Deno.env.toObject();
  delete env.PBS_MCP_HTTP_TOKEN;
  delete env.PBS_MCP_HTTP_TOKENS_FILE;
  const run = async (extra: Record<string, string>) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "--demo", "--scenario", "tiny", "--http", "--port", "0"],
      env: { ...env, ...extra },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const none = await run({});
  assert.equal(none.code, 2);
  assert.match(none.stderr, /needs at least one bearer token/);

  const short = await run({ PBS_MCP_HTTP_TOKEN: "short" });
  assert.equal(short.code, 2);
  assert.match(short.stderr, /at least 16 characters/);

  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "tokens");
    await Deno.writeTextFile(file, `${ALICE.name}:${ALICE.token}\n`);
    await Deno.chmod(file, 0o644);
    const readable = await run({ PBS_MCP_HTTP_TOKENS_FILE: file });
    assert.equal(readable.code, 2);
    assert.match(readable.stderr, /readable by other users .*chmod 600/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** One HTTP/1.1 request through node:http (which, unlike fetch, sends the Host given). */
function rawRequest(
  s: TestServer,
  method: string,
  body: string,
  headers: Record<string, string>,
): Promise<Response> {
  const url = new URL(mcpUrl(s));
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      method,
      headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    }, (response) => {
      let text = "";
      response.on("data", (chunk) => text += chunk);
      response.on("end", () => resolve(new Response(text, { status: response.statusCode })));
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** One HTTP/1.1 request over a Unix socket; returns the raw response text. */
async function overSocket(
  path: string,
  method: string,
  target: string,
  body: string,
  authorization?: string,
): Promise<string> {
  const conn = await Deno.connect({ transport: "unix", path });
  const bytes = new TextEncoder().encode(body);
  const head = [
    `${method} ${target} HTTP/1.1`,
    "Host: localhost",
    "Connection: close",
    "Content-Type: application/json",
    `Accept: ${ACCEPT}`,
    `Content-Length: ${bytes.length}`,
    ...(authorization ? [`Authorization: ${authorization}`] : []),
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(head));
  await conn.write(bytes);
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of conn.readable) {
    text += decoder.decode(chunk, { stream: true });
    // An SSE answer stays open until its one message is sent.
    if (/\r\n\r\n/.test(text) && (/^HTTP\/1\.1 (?!200)/.test(text) || /"result"/.test(text))) break;
  }
  try {
    conn.close();
  } catch { /* already closed by the server */ }
  return text;
}

/** A throw-away CA and a localhost certificate it signed (rustls refuses a self-signed leaf). */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const at = (name: string) => join(dir, name);
  await Deno.writeTextFile(
    at("leaf.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
  );
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  const steps = [
    ["req", "-x509", ...ec, "-days", "1", "-subj", "/CN=pbs-mcp test CA"]
      .concat(["-keyout", at("ca.key"), "-out", at("ca.pem")]),
    ["req", ...ec, "-subj", "/CN=localhost", "-keyout", at("key.pem"), "-out", at("leaf.csr")],
    ["x509", "-req", "-in", at("leaf.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key")]
      .concat([
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        at("leaf.ext"),
        "-out",
        at("cert.pem"),
      ]),
  ];
  for (const args of steps) {
    const made = await new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" })
      .output();
    assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
  }
  return {
    ca: await Deno.readTextFile(at("ca.pem")),
    cert: await Deno.readTextFile(at("cert.pem")),
    key: await Deno.readTextFile(at("key.pem")),
  };
}
