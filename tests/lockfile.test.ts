/**
 * What a plain server run downloads: the packages of deno.json's imports and
 * deno.lock (`deno task` installs the imports before any task runs). Test-only
 * packages are imported by full specifier from the tests and locked in
 * tests/deno.lock (the test, check and bench tasks use it), so a login node
 * without internet that ran `deno task setup` has all the server needs and no
 * test framework.
 */
import assert from "node:assert/strict";

const TEST_ONLY = ["fast-check", "pure-rand"];

async function npmPackages(lock: string): Promise<string[]> {
  const text = await Deno.readTextFile(new URL(`../${lock}`, import.meta.url));
  return Object.keys(JSON.parse(text).npm ?? {}).map((key) => key.replace(/@[^@]+$/, ""));
}

Deno.test("the server's import map and lockfile hold no test-only package", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  for (const target of Object.values(config.imports as Record<string, string>)) {
    for (const name of TEST_ONLY) assert.ok(!target.includes(name), `${target} in deno.json`);
  }
  const server = await npmPackages("deno.lock");
  assert.ok(server.includes("@modelcontextprotocol/server"), server.join(", "));
  assert.ok(server.includes("zod") && server.includes("yaml"), server.join(", "));
  for (const name of TEST_ONLY) assert.ok(!server.includes(name), `${name} is in deno.lock`);
  const tests = await npmPackages("tests/deno.lock");
  for (const name of TEST_ONLY) {
    assert.ok(tests.includes(name), `${name} is not in tests/deno.lock`);
  }
});
