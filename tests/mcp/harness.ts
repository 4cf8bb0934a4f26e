/**
 * An MCP client talking to the real server over an in-memory transport, with
 * a simulated PBS complex underneath:
 *
 *   SDK Client ⇄ McpServer (createMcpServer) → PbsClient → SimRunner → complex
 *
 * Tests go through the SDK Client only, exactly as a model's host would.
 * The complex's clock moves only when told (`advance`); PbsClient's sleep is
 * replaced by one that advances that clock, so wait_for_job runs in
 * simulated time.
 */
import {
  type CallToolResult,
  Client,
  type ElicitResult,
  InMemoryTransport,
  type Progress,
  type Tool,
} from "@modelcontextprotocol/client";
import type { McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import assert from "node:assert/strict";
import { join } from "node:path";
import { createScenario, SimRunner } from "../../sim/mod.ts";
import { type Config, loadConfig } from "../../src/service/config.ts";
import { ClusterSet } from "../../src/service/cluster_set.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { activeProfile } from "../../src/service/profiles.ts";
import { silentLogger } from "../../src/mcp/logger.ts";
import { createMcpServer, serverFactory } from "../../src/mcp/server.ts";
import { tapListens } from "../../src/mcp/subscriptions.ts";
import type { SubscriptionOptions } from "../../src/mcp/subscriptions.ts";
import { errorDetailsOf } from "../../src/mcp/tool_kit.ts";

export type Complex = ReturnType<typeof createScenario>;

export interface HarnessOptions {
  scenario?: string;
  user?: string;
  seed?: number;
  config?: Partial<Config>;
  /** Where the sim writes job output (and tests put scripts); a fresh temp dir by default. */
  outputDir?: string;
  /**
   * The site profile (a built-in name or a YAML path); by default the built-in
   * profile named like the scenario (polaris, aurora), as demo mode does; null: none.
   */
  profile?: string | null;
  /** An existing complex to connect to (another user on the same system). */
  complex?: Complex;
  /**
   * Makes the client able to ask its user (MCP elicitation): every question
   * goes to this function, whose answer the client sends back.
   */
  elicit?: (message: string) => ElicitResult;
  /**
   * The client's protocol generation: `legacy` (2025-11-25, `initialize`; the
   * default) or `modern` (2026-07-28: no handshake, `_meta` on each request,
   * input-required results instead of server-to-client requests).
   */
  era?: Era;
  /** Options of the server under test (e.g. the job watch's ticker). */
  server?: SubscriptionOptions;
  /**
   * Further simulated clusters served beside the main one (which is then
   * named `name`, default its scenario): the server takes `cluster`.
   */
  others?: Array<{ name: string; scenario: string }>;
  /** The main cluster's name when there are others. */
  name?: string;
}

export type Era = "legacy" | "modern";

/** The client options that make a v2 Client speak `era`. */
export function eraOptions(era: Era): { versionNegotiation?: { mode: { pin: "2026-07-28" } } } {
  return era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {};
}

export interface Harness {
  client: Client;
  complex: Complex;
  runner: SimRunner;
  pbs: PbsClient;
  /** Every cluster served by name (the main one included), with its complex. */
  clusters: Record<string, { complex: Complex; pbs: PbsClient }>;
  outputDir: string;
  /** A path inside outputDir: where a job's output_path must point for get_job_output to read it. */
  path(name: string): string;
  /** Moves simulated time forward; the scheduler and job lifecycles run. */
  advance(seconds: number): void;
  /** Calls a tool; returns the raw result (isError included). */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** Calls a tool that must succeed; returns its structured content. */
  ok<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  /** Calls a tool that must fail; returns its error details. */
  fail(name: string, args?: Record<string, unknown>): Promise<ToolFailure>;
  /** Calls a tool collecting the progress notifications it sends. */
  callWithProgress(
    name: string,
    args: Record<string, unknown>,
  ): Promise<{ result: CallToolResult; progress: ProgressParams[] }>;
  /** The tool list (without arming the client's output-schema validators; see below). */
  tools(): Promise<Tool[]>;
  /** Another user's client on the same complex. */
  as(user: string): Promise<Harness>;
  close(): Promise<void>;
}

export interface ToolFailure {
  /** The text block (for input-schema failures, the SDK's list of zod issues). */
  text: string;
  /** Present when the failure came from PBS or the service (not from the input schema). */
  error?: { kind: string; message: string; hint: string; pbsMessage?: string };
}

export interface ProgressParams {
  progressToken: string | number;
  progress: number;
  total?: number;
  message?: string;
}

/** Real milliseconds each simulated sleep also takes, so other tasks get to run. */
const REAL_SLEEP_MS = 1;

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const ownDir = options.outputDir === undefined && options.complex === undefined;
  const outputDir = options.outputDir ?? await Deno.makeTempDir({ prefix: "pbs-mcp-test-" });
  const complex = options.complex ??
    createScenario(options.scenario ?? "tiny", { seed: options.seed ?? 1, outputDir });
  const user = options.user ?? "alice";
  const runner = new SimRunner({ complex, user });
  const config: Config = {
    ...loadConfig({}),
    cacheTtlMs: 0,
    allowedDirs: [outputDir],
    auditLog: join(outputDir, "audit.jsonl"),
    ...options.config,
  };
  const profile = options.profile === null
    ? undefined
    : await activeProfile(options.profile, options.scenario);
  const pbs = new PbsClient({
    runner,
    user,
    config,
    profile,
    sleep: simulatedSleep(complex),
    now: () => complex.now() * 1000,
  });
  const mainName = options.name ?? options.scenario ?? "tiny";
  const clusters: Harness["clusters"] = { [mainName]: { complex, pbs } };
  for (const other of options.others ?? []) {
    const otherComplex = createScenario(other.scenario, { seed: options.seed ?? 1, outputDir });
    clusters[other.name] = {
      complex: otherComplex,
      pbs: new PbsClient({
        runner: new SimRunner({ complex: otherComplex, user }),
        user,
        config,
        profile: await activeProfile(undefined, other.scenario),
        sleep: simulatedSleep(otherComplex),
        now: () => otherComplex.now() * 1000,
      }),
    };
  }
  const served = options.others
    ? new ClusterSet(
      Object.entries(clusters).map(([name, c]) => ({
        name,
        client: c.pbs,
        reach: `simulated complex ${name}`,
      })),
    )
    : pbs;
  // Built once up front, as main.ts does: bad start-up options fail here.
  createMcpServer(served, silentLogger);
  const era = options.era ?? "legacy";
  const client = new Client(
    { name: "pbs-mcp-tests", version: "0.0.0" },
    {
      ...(options.elicit ? { capabilities: { elicitation: { form: {} } } } : {}),
      ...eraOptions(era),
    },
  );
  if (options.elicit) {
    const answer = options.elicit;
    client.setRequestHandler("elicitation/create", (request) => answer(request.params.message));
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  // The same entry as main.ts's stdio: it pins the connection to the client's era.
  // As src/transports/stdio.ts: 2026-07-28 listen streams are followed at
  // the transport, their updates sent through the connection's instance.
  const factory = serverFactory(served, silentLogger, options.server);
  let current: McpServer | undefined;
  const listens = factory.watchListens!((uri) => current?.server.sendResourceUpdated({ uri }));
  const connection = serveStdio((context) => (current = factory(context)), {
    transport: tapListens(serverSide, listens),
  });
  await client.connect(clientSide);
  assert.equal(client.getProtocolEra(), era);
  // As real hosts do: listing tools arms the client's check of every result
  // against the tool's outputSchema, so each test call is validated too.
  await client.listTools();

  const call = async (name: string, args: Record<string, unknown> = {}) =>
    await client.callTool({ name, arguments: args }) as CallToolResult;

  const harness: Harness = {
    client,
    complex,
    runner,
    pbs,
    clusters,
    outputDir,
    path: (name) => join(outputDir, name),
    advance: (seconds) => complex.advance(seconds),
    call,
    async ok<T>(name: string, args: Record<string, unknown> = {}) {
      const result = await call(name, args);
      assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
      assert.ok(result.structuredContent, `${name} returned no structured content`);
      return result.structuredContent as T;
    },
    async fail(name, args = {}) {
      const result = await call(name, args);
      assert.equal(result.isError, true, `${name} should have failed: ${textOf(result)}`);
      assert.equal(result.structuredContent, undefined, "error results carry no structuredContent");
      return { text: textOf(result), error: errorDetailsOf(result) as ToolFailure["error"] };
    },
    async callWithProgress(name, args) {
      const progress: ProgressParams[] = [];
      const result = await client.callTool(
        { name, arguments: args },
        {
          onprogress: (p: Progress) => progress.push(p as ProgressParams),
          timeout: 120_000,
        },
      );
      return { result: result as CallToolResult, progress };
    },
    async tools() {
      // listTools() also arms the client's per-tool output validation, as real hosts do.
      return (await client.listTools()).tools;
    },
    as: (other) => startHarness({ ...options, user: other, complex, outputDir }),
    async close() {
      await client.close();
      await connection.close();
      listens.stop();
      if (ownDir) await Deno.remove(outputDir, { recursive: true });
    },
  };
  return harness;
}

/**
 * PbsClient's sleep in simulated time: the clock advances by the slept time
 * (in whole seconds, carrying fractions), plus a tiny real pause so other
 * tasks get to run. The client measures waits on the simulated clock too.
 */
function simulatedSleep(complex: Complex): (ms: number) => Promise<void> {
  let carried = 0;
  return async (ms) => {
    carried += ms / 1000;
    const whole = Math.floor(carried);
    carried -= whole;
    if (whole > 0) complex.advance(whole);
    await new Promise((resolve) => setTimeout(resolve, REAL_SLEEP_MS));
  };
}

export function textOf(result: CallToolResult): string {
  return (result.content as { type: string; text?: string }[])
    .map((c) => (c.type === "text" ? c.text ?? "" : ""))
    .join("\n");
}

/** Characters of a result as the kit counts them (the whole serialised result). */
export function sizeOf(result: CallToolResult): number {
  return JSON.stringify(result).length;
}

/**
 * Characters of each half of a result, as a client forwards one or the other
 * to the model: the text blocks (`content`) and `structuredContent`, each
 * serialised as JSON.
 */
export function halvesOf(result: CallToolResult): { text: number; structured: number } {
  return {
    text: JSON.stringify(result.content).length,
    structured: JSON.stringify(result.structuredContent ?? null).length,
  };
}

/** A job script the sim runs: `echo` lines become output; `#SIM` sets runtime and exit. */
export function simScript(
  options: { runtime?: number; exit?: number; echo?: string[]; directives?: string[] } = {},
): string {
  return [
    "#!/bin/bash",
    ...(options.directives ?? []).map((d) => `#PBS ${d}`),
    `#SIM runtime=${options.runtime ?? 30} exit=${options.exit ?? 0}`,
    ...(options.echo ?? []).map((line) => `echo ${line}`),
    "",
  ].join("\n");
}
