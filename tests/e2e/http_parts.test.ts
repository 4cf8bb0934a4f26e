/**
 * The HTTP transport's parts on their own: flags, tokens, Host/Origin policy,
 * rate limiter, and the HTTP environment variables.
 */
import assert from "node:assert/strict";
import { parseCli } from "../../src/cli_args.ts";
import {
  checkTokens,
  parseTokensFile,
  TokenSetupError,
  TokenVerifier,
} from "../../src/transports/http_auth.ts";
import { loadHttpEnv } from "../../src/transports/http_config.ts";
import { HostPolicy, RateLimiter } from "../../src/transports/http_guard.ts";

Deno.test("--http flags", () => {
  assert.equal(parseCli([]).http, undefined);
  assert.deepEqual(parseCli(["--http"]).http, {
    kind: "tcp",
    hostname: "127.0.0.1",
    port: 8765,
    cert: undefined,
    key: undefined,
  });
  assert.deepEqual(parseCli(["--http", "--host", "::1", "--port", "9000"]).http, {
    kind: "tcp",
    hostname: "::1",
    port: 9000,
    cert: undefined,
    key: undefined,
  });
  assert.deepEqual(parseCli(["--http", "--socket", "/tmp/x.sock"]).http, {
    kind: "unix",
    path: "/tmp/x.sock",
  });
  assert.throws(() => parseCli(["--port", "1"]), /--port needs --http/);
  assert.throws(() => parseCli(["--http", "--socket", "s", "--port", "1"]), /cannot be combined/);
  assert.throws(() => parseCli(["--http", "--cert", "c.pem"]), /--cert and --key go together/);
  assert.throws(() => parseCli(["--http", "--port", "70000"]), /--port must be/);
});

Deno.test("tokens file: name:token lines, comments, and what is refused", () => {
  const tokens = parseTokensFile(
    "# laptop\nalice-laptop:aaaaaaaaaaaaaaaaaaaa\n\n  ci:bbbbbbbbbbbbbbbb:with-colon  \n",
    "tokens",
  );
  assert.deepEqual(tokens, [
    { name: "alice-laptop", token: "aaaaaaaaaaaaaaaaaaaa" },
    { name: "ci", token: "bbbbbbbbbbbbbbbb:with-colon" },
  ]);
  assert.throws(() => parseTokensFile("no colon here", "f"), /f line 1: expected name:token/);
  assert.throws(() => parseTokensFile("bad name:aaaaaaaaaaaaaaaa", "f"), /token name must be/);
  assert.throws(() => checkTokens([]), TokenSetupError);
  assert.throws(() => checkTokens([{ name: "a", token: "short" }]), /at least 16/);
  assert.throws(
    () => checkTokens([{ name: "a", token: "x".repeat(16) }, { name: "a", token: "y".repeat(16) }]),
    /appears twice/,
  );
  assert.throws(
    () => checkTokens([{ name: "a", token: "x".repeat(16) }, { name: "b", token: "x".repeat(16) }]),
    /repeats another token/,
  );
});

Deno.test("TokenVerifier: names the matching token; anything else is undefined", () => {
  const verifier = new TokenVerifier([
    { name: "one", token: "1".repeat(20) },
    { name: "two", token: "2".repeat(24) },
  ]);
  assert.equal(verifier.verify(`Bearer ${"1".repeat(20)}`), "one");
  assert.equal(verifier.verify(`bearer ${"2".repeat(24)}`), "two");
  for (
    const header of [
      null,
      "",
      "Bearer",
      "Bearer ",
      `Basic ${"1".repeat(20)}`,
      `Bearer ${"1".repeat(19)}`,
      `Bearer ${"1".repeat(21)}`,
      `Bearer ${"1".repeat(20)} extra`,
    ]
  ) {
    assert.equal(verifier.verify(header), undefined, String(header));
  }
});

Deno.test("HostPolicy: loopback names on any port, named hosts, nothing else", () => {
  const policy = new HostPolicy(["login1.example.org"]);
  for (const host of ["localhost", "localhost:8765", "127.0.0.1:1", "[::1]:9", "LOCALHOST:2"]) {
    assert.equal(policy.checkHost(host), undefined, host);
  }
  assert.equal(policy.checkHost("login1.example.org:8765"), undefined);
  for (const host of [null, "evil.example.com", "127.0.0.2", "localhost.evil.com", "[::2]"]) {
    assert.ok(policy.checkHost(host), String(host));
  }
  assert.equal(policy.checkOrigin(null), undefined, "no Origin: not a browser");
  assert.equal(policy.checkOrigin("http://localhost:3000"), undefined);
  assert.equal(policy.checkOrigin("https://login1.example.org"), undefined);
  for (const origin of ["null", "http://evil.example.com", "file://localhost", "ws://[::1]"]) {
    assert.ok(policy.checkOrigin(origin), origin);
  }
});

Deno.test("RateLimiter: a burst of the limit, then Retry-After until refilled", () => {
  let now = 0;
  const limiter = new RateLimiter(3, () => now);
  assert.deepEqual([limiter.take("a"), limiter.take("a"), limiter.take("a")], [0, 0, 0]);
  assert.equal(limiter.take("a"), 20, "one request per 20 s at 3 per minute");
  assert.equal(limiter.take("b"), 0, "each key has its own budget");
  now += 20_000;
  assert.equal(limiter.take("a"), 0);
});

Deno.test("HTTP environment: defaults, and invalid values named", () => {
  const env = loadHttpEnv(() => undefined);
  assert.deepEqual(env.limits, {
    maxBodyBytes: 8 * 1024 * 1024,
    ratePerMinute: 300,
    sessionIdleMs: 1_800_000,
    maxSessions: 32,
  });
  const set = loadHttpEnv((name) =>
    ({ PBS_MCP_HTTP_ALLOWED_HOSTS: " Login1.example.org, ,x ", PBS_MCP_HTTP_RATE_LIMIT: "5" })[
      name
    ]
  );
  assert.deepEqual(set.extraHosts, ["login1.example.org", "x"]);
  assert.equal(set.limits.ratePerMinute, 5);
  assert.throws(
    () => loadHttpEnv((name) => name === "PBS_MCP_HTTP_MAX_BODY_BYTES" ? "-1" : undefined),
    /PBS_MCP_HTTP_MAX_BODY_BYTES/,
  );
});
