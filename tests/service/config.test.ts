import assert from "node:assert/strict";
import { CONFIG_VARIABLES, loadConfig } from "../../src/service/config.ts";

Deno.test("loadConfig", async (t) => {
  await t.step("an empty environment gives the documented defaults", () => {
    assert.deepEqual(loadConfig({}), {
      pbsServer: undefined,
      defaultAccount: undefined,
      timeoutMs: 30_000,
      cacheTtlMs: 3_000,
      maxOutputBytes: 64 * 1024 * 1024,
      readOnly: false,
      allowedDirs: [],
      submitDir: undefined,
      logLevel: "info",
      auditLog: undefined,
      confirm: "elicit",
      limits: { maxConcurrentCommands: 4, maxBatchJobs: 100, maxSubmitsPerMinute: 120 },
      toolsets: undefined,
      excludeTools: [],
      watchIntervalS: 30,
    });
    assert.equal(
      loadConfig({}, "/home/alice").auditLog,
      "/home/alice/.local/state/pbs-mcp/audit.jsonl",
    );
  });

  await t.step("every variable is read", () => {
    const config = loadConfig({
      PBS_SERVER: "pbs01",
      PBS_ACCOUNT: "climate",
      PBS_MCP_TIMEOUT_MS: "5000",
      PBS_MCP_CACHE_TTL_MS: "0",
      PBS_MCP_MAX_OUTPUT_BYTES: "1024",
      PBS_MCP_READ_ONLY: "true",
      PBS_MCP_ALLOWED_DIRS: "/home/alice:/scratch/alice",
      PBS_MCP_SUBMIT_DIR: "/scratch/alice/runs",
      PBS_MCP_LOG_LEVEL: "debug",
      PBS_MCP_AUDIT_LOG: "/var/log/pbs-mcp/alice.jsonl",
      PBS_MCP_CONFIRM: "require",
      PBS_MCP_MAX_CONCURRENT_COMMANDS: "2",
      PBS_MCP_MAX_BATCH_JOBS: "10",
      PBS_MCP_MAX_SUBMITS_PER_MINUTE: "30",
      PBS_MCP_MAX_NODES: "64",
      PBS_MCP_MAX_WALLTIME: "12:00:00",
      PBS_MCP_TOOLSETS: "jobs, cluster",
      PBS_MCP_EXCLUDE_TOOLS: "delete_job",
      PBS_MCP_WATCH_INTERVAL_S: "60",
      UNRELATED: "ignored",
    });
    assert.deepEqual(config, {
      pbsServer: "pbs01",
      defaultAccount: "climate",
      timeoutMs: 5_000,
      cacheTtlMs: 0,
      maxOutputBytes: 1024,
      readOnly: true,
      allowedDirs: ["/home/alice", "/scratch/alice"],
      submitDir: "/scratch/alice/runs",
      logLevel: "debug",
      auditLog: "/var/log/pbs-mcp/alice.jsonl",
      confirm: "require",
      limits: {
        maxConcurrentCommands: 2,
        maxBatchJobs: 10,
        maxSubmitsPerMinute: 30,
        maxNodesPerJob: 64,
        maxWalltimeSeconds: 12 * 3600,
      },
      toolsets: ["jobs", "cluster"],
      excludeTools: ["delete_job"],
      watchIntervalS: 60,
    });
  });

  await t.step("an invalid number is named in the error", () => {
    for (
      const [name, value] of [
        ["PBS_MCP_TIMEOUT_MS", "soon"],
        ["PBS_MCP_TIMEOUT_MS", "0"],
        ["PBS_MCP_TIMEOUT_MS", "1.5"],
        ["PBS_MCP_CACHE_TTL_MS", "-1"],
        ["PBS_MCP_MAX_OUTPUT_BYTES", "64mb"],
        ["PBS_MCP_MAX_WALLTIME", "a day"],
        ["PBS_MCP_CONFIRM", "sometimes"],
        ["PBS_MCP_WATCH_INTERVAL_S", "1"],
      ]
    ) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (error) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /^invalid configuration: /);
          assert.ok(error.message.includes(name), `${error.message} should name ${name}`);
          return true;
        },
        `${name}=${value}`,
      );
    }
  });

  await t.step("every invalid variable is named at once", () => {
    assert.throws(
      () =>
        loadConfig({
          PBS_MCP_TIMEOUT_MS: "x",
          PBS_MCP_LOG_LEVEL: "verbose",
          PBS_MCP_READ_ONLY: "maybe",
        }),
      (error) => {
        assert.ok(error instanceof Error);
        for (const name of ["PBS_MCP_TIMEOUT_MS", "PBS_MCP_LOG_LEVEL", "PBS_MCP_READ_ONLY"]) {
          assert.ok(error.message.includes(name), `${error.message} should name ${name}`);
        }
        return true;
      },
    );
  });

  await t.step("PBS_MCP_ALLOWED_DIRS is split on colons, dropping empty parts", () => {
    assert.deepEqual(loadConfig({ PBS_MCP_ALLOWED_DIRS: "/a" }).allowedDirs, ["/a"]);
    assert.deepEqual(loadConfig({ PBS_MCP_ALLOWED_DIRS: "/a::/b:" }).allowedDirs, ["/a", "/b"]);
  });

  await t.step("home is the allowed dir only when PBS_MCP_ALLOWED_DIRS is unset or empty", () => {
    assert.deepEqual(loadConfig({}, "/home/alice").allowedDirs, ["/home/alice"]);
    assert.deepEqual(
      loadConfig({ PBS_MCP_ALLOWED_DIRS: "" }, "/home/alice").allowedDirs,
      ["/home/alice"],
    );
    assert.deepEqual(
      loadConfig({ PBS_MCP_ALLOWED_DIRS: "/scratch" }, "/home/alice").allowedDirs,
      ["/scratch"],
    );
  });

  await t.step("qsub runs in PBS_MCP_SUBMIT_DIR, else in home, never elsewhere", () => {
    assert.equal(loadConfig({}, "/home/alice").submitDir, "/home/alice");
    assert.equal(loadConfig({ PBS_MCP_SUBMIT_DIR: "" }, "/home/alice").submitDir, "/home/alice");
    assert.equal(
      loadConfig({ PBS_MCP_SUBMIT_DIR: "/scratch/runs" }, "/home/alice").submitDir,
      "/scratch/runs",
    );
    // The submit dir never widens what may be read.
    assert.deepEqual(
      loadConfig({ PBS_MCP_SUBMIT_DIR: "/scratch/runs" }, "/home/alice").allowedDirs,
      ["/home/alice"],
    );
    assert.equal(loadConfig({}).submitDir, undefined);
    assert.throws(
      () => loadConfig({ PBS_MCP_SUBMIT_DIR: "runs" }),
      /PBS_MCP_SUBMIT_DIR: must be an absolute path/,
    );
  });

  await t.step("read-only flag spellings", () => {
    for (const value of ["1", "true", "yes"]) {
      assert.equal(loadConfig({ PBS_MCP_READ_ONLY: value }).readOnly, true, value);
    }
    for (const value of ["0", "false", "no"]) {
      assert.equal(loadConfig({ PBS_MCP_READ_ONLY: value }).readOnly, false, value);
    }
    assert.throws(() => loadConfig({ PBS_MCP_READ_ONLY: "maybe" }), /PBS_MCP_READ_ONLY/);
  });

  await t.step("CONFIG_VARIABLES documents every variable loadConfig reads", () => {
    const documented = new Set(CONFIG_VARIABLES.map(([name]) => name));
    const read = [
      "PBS_SERVER",
      "PBS_ACCOUNT",
      "PBS_MCP_TIMEOUT_MS",
      "PBS_MCP_CACHE_TTL_MS",
      "PBS_MCP_MAX_OUTPUT_BYTES",
      "PBS_MCP_READ_ONLY",
      "PBS_MCP_ALLOWED_DIRS",
      "PBS_MCP_SUBMIT_DIR",
      "PBS_MCP_LOG_LEVEL",
      "PBS_MCP_AUDIT_LOG",
      "PBS_MCP_CONFIRM",
      "PBS_MCP_MAX_CONCURRENT_COMMANDS",
      "PBS_MCP_MAX_BATCH_JOBS",
      "PBS_MCP_MAX_SUBMITS_PER_MINUTE",
      "PBS_MCP_MAX_NODES",
      "PBS_MCP_MAX_WALLTIME",
      "PBS_MCP_TOOLSETS",
      "PBS_MCP_EXCLUDE_TOOLS",
      "PBS_MCP_WATCH_INTERVAL_S",
    ];
    for (const name of read) {
      assert.ok(documented.has(name), `${name} is not documented`);
      // And it really is read: a bad value for it is reported by name (or it is free text).
      const free = [
        "PBS_SERVER",
        "PBS_ACCOUNT",
        "PBS_MCP_ALLOWED_DIRS",
        "PBS_MCP_AUDIT_LOG",
        "PBS_MCP_TOOLSETS",
        "PBS_MCP_EXCLUDE_TOOLS",
      ];
      if (!free.includes(name)) {
        assert.throws(() => loadConfig({ [name]: "-not-valid-" }), new RegExp(name));
      }
    }
  });
});
