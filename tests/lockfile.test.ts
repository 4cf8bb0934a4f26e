/**
 * What a plain server run downloads: the packages of deno.lock. Test-only
 * packages live in tests/deno.lock (the test, check and bench tasks use it),
 * so a login node without internet that ran `deno task setup` has all the
 * server needs and nothing it does not.
 */
import assert from "node:assert/strict";

const TEST_ONLY = ["fast-check", "pure-rand", "@modelcontextprotocol/client"];

async function npmPackages(lock: string): Promise<string[]> {
  const text = await Deno.readTextFile(new URL(`../${lock}`, import.meta.url));
  return Object.keys(JSON.parse(text).npm ?? {}).map((key) => key.replace(/@[^@]+$/, ""));
}

Deno.test("the server's lockfile holds no test-only package", async () => {
  const server = await npmPackages("deno.lock");
  assert.ok(server.includes("@modelcontextprotocol/server"), server.join(", "));
  assert.ok(server.includes("zod") && server.includes("yaml"), server.join(", "));
  for (const name of TEST_ONLY) assert.ok(!server.includes(name), `${name} is in deno.lock`);
  const tests = await npmPackages("tests/deno.lock");
  for (const name of TEST_ONLY) {
    assert.ok(tests.includes(name), `${name} is not in tests/deno.lock`);
  }
});
