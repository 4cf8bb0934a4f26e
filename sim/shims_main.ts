/**
 * Entry point of every shim `main.ts sim shims` writes (DIR/bin/qstat, ...):
 *
 *   deno run … sim/shims_main.ts STATE_DIR USER|- COMMAND [ARG...]
 *
 * Runs COMMAND against the complex persisted in STATE_DIR (sim/shims_state.ts)
 * and answers as the PBS client would: its stdout, stderr and exit code. USER
 * `-` maps the OS login name as demo mode does (root or unset → alice). The
 * working directory is the caller's (qsub records it as PBS_O_WORKDIR); qsub
 * reads its script from a file operand, else from stdin.
 */

import { demoUser } from "../src/service/os_user.ts";
import { readRealFile, runPersisted } from "./shims_state.ts";

/** Variables of the caller's environment PBS clients use (pbs_rsub's time zone). */
const PASSED_ENV = ["PBS_TZID", "TZ"];

function readStdinSync(): string {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  for (;;) {
    const n = Deno.stdin.readSync(buffer);
    if (n === null || n === 0) break;
    chunks.push(buffer.slice(0, n));
  }
  return new TextDecoder().decode(concat(chunks));
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = new TextEncoder().encode(text);
  while (bytes.byteLength > 0) bytes = bytes.subarray(stream.writeSync(bytes));
}

function envOf(names: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

if (import.meta.main) {
  const [stateDir, userArg, command, ...args] = Deno.args;
  if (!stateDir || !userArg || !command) {
    console.error("usage: shims_main.ts STATE_DIR USER|- COMMAND [ARG...]");
    Deno.exit(2);
  }
  const user = demoUser(userArg === "-" ? undefined : userArg, {
    USER: Deno.env.get("USER"),
    LOGNAME: Deno.env.get("LOGNAME"),
  });
  let output;
  try {
    output = runPersisted(stateDir, {
      user,
      command,
      args,
      stdin: readStdinSync,
      env: envOf(PASSED_ENV),
      workdir: Deno.cwd(),
      readFile: readRealFile,
    });
  } catch (error) {
    console.error(`${command}: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
  writeAll(Deno.stdout, output.stdout);
  writeAll(Deno.stderr, output.stderr);
  Deno.exit(output.code);
}
