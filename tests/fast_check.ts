/**
 * fast-check for the property tests, imported here by full specifier rather
 * than through deno.json's import map: `deno task` installs every import-map
 * package before any task, so listing this test-only package there would make
 * every server start download it (tests/lockfile.test.ts). Locked in
 * tests/deno.lock.
 */
export { default } from "npm:fast-check@^4.3.0";
export * from "npm:fast-check@^4.3.0";
