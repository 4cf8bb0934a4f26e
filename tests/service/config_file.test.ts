import assert from "node:assert/strict";
import {
  ConfigFileError,
  mergeSettings,
  parseConfigFile,
  readConfigFile,
  resolveServing,
} from "../../src/config_file.ts";
import { parseCli } from "../../src/cli_args.ts";
import { loadConfig } from "../../src/service/config.ts";

const ISSUE_EXAMPLE = `default_cluster: polaris
clusters:
  polaris:
    simulator: polaris
  aurora:
    ssh: { host: aurora.example.org, user: alice, port: 22, options: ["-o", "ControlPath=~/.ssh/cm-%r@%h:%p"] }
    pbs_exec: /opt/pbs
    profile: aurora
  here:
    local: true
`;

function errorOf(source: string): string {
  try {
    parseConfigFile("/etc/c.yaml", source);
  } catch (error) {
    assert.ok(error instanceof ConfigFileError, String(error));
    return error.message;
  }
  assert.fail("the file was accepted");
}

Deno.test("parseConfigFile: a valid file", async (t) => {
  await t.step("the issue's example: every cluster, each with its own settings", () => {
    const file = parseConfigFile("/etc/c.yaml", ISSUE_EXAMPLE);
    assert.equal(file.defaultCluster, "polaris");
    assert.deepEqual(file.clusters, [
      { name: "polaris", reach: { kind: "simulator", scenario: "polaris" }, env: {} },
      {
        name: "aurora",
        reach: {
          kind: "ssh",
          host: "aurora.example.org",
          user: "alice",
          port: 22,
          options: ["-o", "ControlPath=~/.ssh/cm-%r@%h:%p"],
        },
        env: { PBS_EXEC: "/opt/pbs", PBS_MCP_PROFILE: "aurora" },
      },
      { name: "here", reach: { kind: "local" }, env: {} },
    ]);
    // The default cluster's settings: another cluster's do not apply to it.
    assert.deepEqual(file.env, {});
  });

  await t.step("global settings reach every cluster; a cluster's own only it", () => {
    const file = parseConfigFile(
      "/etc/c.yaml",
      `read_only: true\n${
        ISSUE_EXAMPLE.replace("default_cluster: polaris", "default_cluster: aurora")
      }`,
    );
    assert.equal(file.defaultCluster, "aurora");
    assert.deepEqual(file.env, {
      PBS_MCP_READ_ONLY: "true",
      PBS_EXEC: "/opt/pbs",
      PBS_MCP_PROFILE: "aurora",
    });
    assert.deepEqual(file.clusters.find((c) => c.name === "here")?.env, {
      PBS_MCP_READ_ONLY: "true",
    });
  });

  await t.step("without default_cluster the first cluster listed is the default", () => {
    const file = parseConfigFile(
      "/etc/c.yaml",
      ISSUE_EXAMPLE.replace("default_cluster: polaris\n", "").replace(
        "  polaris:\n    simulator: polaris\n",
        "",
      ) + "  polaris:\n    simulator: polaris\n",
    );
    assert.deepEqual(file.clusters.map((c) => c.name), ["aurora", "here", "polaris"]);
    assert.equal(file.defaultCluster, "aurora");
  });

  await t.step("every setting becomes its variable, and loadConfig reads them", () => {
    const file = parseConfigFile(
      "/etc/c.yaml",
      `audit_log: /var/log/pbs-mcp.jsonl
confirm: require
read_only: true
log_level: debug
timeout_ms: 5000
cache_ttl_ms: 0
max_output_bytes: 1024
toolsets: [jobs, cluster]
exclude_tools: [delete_job]
limits:
  max_concurrent_commands: 2
  max_batch_jobs: 10
  max_submits_per_minute: 5
  max_nodes: 8
  max_walltime: "12:00:00"
clusters:
  here:
    local: true
    pbs_server: pbs01
    account: MyProject
    allowed_dirs: [/home/alice, /lus/project]
    submit_dir: /home/alice/runs
`,
    );
    assert.deepEqual(file.clusters.map((c) => [c.name, c.reach]), [["here", { kind: "local" }]]);
    const config = loadConfig(file.env, "/home/alice");
    assert.equal(config.auditLog, "/var/log/pbs-mcp.jsonl");
    assert.equal(config.confirm, "require");
    assert.equal(config.readOnly, true);
    assert.equal(config.logLevel, "debug");
    assert.equal(config.timeoutMs, 5000);
    assert.equal(config.cacheTtlMs, 0);
    assert.equal(config.maxOutputBytes, 1024);
    assert.deepEqual(config.toolsets, ["jobs", "cluster"]);
    assert.deepEqual(config.excludeTools, ["delete_job"]);
    assert.deepEqual(config.limits, {
      maxConcurrentCommands: 2,
      maxBatchJobs: 10,
      maxSubmitsPerMinute: 5,
      maxNodesPerJob: 8,
      maxWalltimeSeconds: 12 * 3600,
    });
    assert.equal(config.pbsServer, "pbs01");
    assert.equal(config.defaultAccount, "MyProject");
    assert.deepEqual(config.allowedDirs, ["/home/alice", "/lus/project"]);
    assert.equal(config.submitDir, "/home/alice/runs");
  });

  await t.step("an empty file sets nothing", () => {
    assert.deepEqual(parseConfigFile("/etc/c.yaml", ""), {
      path: "/etc/c.yaml",
      env: {},
      clusters: [],
      defaultCluster: undefined,
    });
  });
});

Deno.test("parseConfigFile: every error names its line and column", async (t) => {
  await t.step("YAML syntax", () => {
    assert.match(errorOf("clusters:\n  here: [1,\n"), /^\/etc\/c\.yaml:3:1: /);
  });

  await t.step("a duplicate key", () => {
    assert.match(errorOf("read_only: true\nread_only: false\n"), /^\/etc\/c\.yaml:2:1: /);
  });

  await t.step("a misspelt key points at the key", () => {
    assert.equal(
      errorOf("clusters:\n  here:\n    local: true\n    alowed_dirs: [/tmp]\n"),
      '/etc/c.yaml:4:5: clusters.here.alowed_dirs: Unrecognized key: "alowed_dirs"',
    );
  });

  await t.step("a bad value points at the value", () => {
    assert.equal(
      errorOf("confirm: always\n"),
      '/etc/c.yaml:1:10: confirm: Invalid option: expected one of "never"|"elicit"|"require"',
    );
    assert.match(
      errorOf("clusters:\n  x:\n    simulator: nope\n"),
      /^\/etc\/c\.yaml:3:16: clusters\.x\.simulator: Invalid option/,
    );
    assert.match(
      errorOf("limits:\n  max_nodes: -1\n"),
      /^\/etc\/c\.yaml:2:14: limits\.max_nodes: /,
    );
    assert.match(
      errorOf("clusters:\n  x:\n    local: true\n    allowed_dirs: [/ok, relative]\n"),
      /^\/etc\/c\.yaml:4:25: clusters\.x\.allowed_dirs\.1: must be an absolute path/,
    );
  });

  await t.step("several problems are all reported", () => {
    const lines = errorOf("read_only: maybe\ntimeout_ms: fast\n").split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^\/etc\/c\.yaml:1:12: read_only: /);
    assert.match(lines[1], /^\/etc\/c\.yaml:2:13: timeout_ms: /);
  });

  await t.step("a cluster must say how it is reached, in one way", () => {
    assert.match(
      errorOf("clusters:\n  x:\n    account: A\n"),
      /^\/etc\/c\.yaml:3:5: clusters\.x: say how to reach it with exactly one of/,
    );
    assert.match(
      errorOf("clusters:\n  x:\n    local: true\n    simulator: tiny\n"),
      /^\/etc\/c\.yaml:3:5: clusters\.x: /,
    );
  });

  await t.step("default_cluster must name a cluster", () => {
    assert.equal(
      errorOf("default_cluster: nope\nclusters:\n  a:\n    local: true\n"),
      "/etc/c.yaml:1:18: default_cluster: no cluster named 'nope' under clusters (a)",
    );
  });

  await t.step("default_queue is refused rather than silently ignored, on any cluster", () => {
    assert.match(
      errorOf("clusters:\n  a:\n    local: true\n    default_queue: debug\n"),
      /^\/etc\/c\.yaml:4:20: clusters\.a\.default_queue: not applied yet/,
    );
    assert.match(
      errorOf("clusters:\n  a:\n    local: true\n  b:\n    local: true\n    default_queue: q\n"),
      /^\/etc\/c\.yaml:6:20: clusters\.b\.default_queue: not applied yet/,
    );
  });
});

Deno.test("readConfigFile: a given file must exist; the default may be absent", async () => {
  const home = await Deno.makeTempDir();
  try {
    assert.equal(await readConfigFile(undefined, home), undefined);
    await assert.rejects(
      readConfigFile(`${home}/missing.yaml`, home),
      new ConfigFileError(`${home}/missing.yaml: cannot read the configuration file: no such file`),
    );
    await Deno.mkdir(`${home}/.config/pbs-mcp`, { recursive: true });
    await Deno.writeTextFile(`${home}/.config/pbs-mcp/config.yaml`, "read_only: true\n");
    assert.deepEqual((await readConfigFile(undefined, home))?.env, { PBS_MCP_READ_ONLY: "true" });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("mergeSettings: the environment wins, and each overlap is warned about", () => {
  const file = parseConfigFile("/c.yaml", "read_only: true\naudit_log: /a.jsonl\n");
  const merged = mergeSettings(
    { PBS_MCP_READ_ONLY: "false", PBS_MCP_AUDIT_LOG: "/a.jsonl", HOME: "/home/a" },
    file,
  );
  assert.deepEqual(merged.env, {
    PBS_MCP_READ_ONLY: "false",
    PBS_MCP_AUDIT_LOG: "/a.jsonl",
    HOME: "/home/a",
  });
  assert.deepEqual(merged.warnings, [
    "PBS_MCP_READ_ONLY is set in the environment and as read_only in /c.yaml: " +
    "the environment's value is used",
    "PBS_MCP_AUDIT_LOG is set in the environment and as audit_log in /c.yaml: " +
    "the environment's value is used (they agree)",
  ]);
  // Without a file the environment is unchanged.
  assert.deepEqual(mergeSettings({ PBS_MCP_READ_ONLY: "1" }, undefined), {
    env: { PBS_MCP_READ_ONLY: "1" },
    warnings: [],
  });
});

Deno.test("examples/config.yaml is valid as shipped and with its commented clusters enabled", async () => {
  const path = new URL("../../examples/config.yaml", import.meta.url).pathname;
  const source = await Deno.readTextFile(path);
  const shipped = parseConfigFile(path, source);
  assert.deepEqual(shipped.clusters.map((c) => [c.name, c.reach.kind]), [
    ["polaris", "simulator"],
    ["aurora", "simulator"],
  ]);
  // Uncommenting the example entries (`  # name:` and `  #   key: ...`) keeps the file valid.
  const enabled = source.replace(/^ {2}# (?=[a-z]+:$| {2}[a-z_]+:)/gm, "  ");
  const file = parseConfigFile(path, enabled);
  assert.deepEqual(file.clusters.map((c) => [c.name, c.reach.kind]), [
    ["polaris", "simulator"],
    ["aurora", "simulator"],
    ["mysite", "ssh"],
    ["here", "local"],
  ]);
  assert.equal(file.clusters[2].env.PBS_MCP_PROFILE, "polaris");
});

Deno.test("cluster names are short words usable in URIs and directory names", () => {
  assert.match(
    errorOf("clusters:\n  ../x:\n    local: true\n"),
    /^\/etc\/c\.yaml:2:3: clusters\.\.\.\/x: a cluster name is 1-64 letters/,
  );
  assert.match(errorOf(`clusters:\n  ${"a".repeat(65)}:\n    local: true\n`), /a cluster name is/);
  assert.deepEqual(
    parseConfigFile("/c.yaml", "clusters:\n  aurora-2.alcf_x:\n    local: true\n").clusters
      .map((c) => c.name),
    ["aurora-2.alcf_x"],
  );
});

Deno.test("resolveServing: the environment's cluster variables reach the default cluster only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-mcp-serving-" });
  const saved = Object.fromEntries(
    ["PBS_EXEC", "PBS_MCP_READ_ONLY"].map((name) => [name, Deno.env.get(name)]),
  );
  try {
    const path = `${dir}/c.yaml`;
    await Deno.writeTextFile(
      path,
      "default_cluster: b\ntimeout_ms: 5000\nclusters:\n" +
        "  a:\n    local: true\n    pbs_exec: /file/a\n" +
        "  b:\n    local: true\n    pbs_exec: /file/b\n",
    );
    Deno.env.set("PBS_EXEC", "/env/pbs");
    Deno.env.set("PBS_MCP_READ_ONLY", "true");
    const serving = await resolveServing(parseCli(["--config", path]));
    assert.deepEqual(serving.clusters.map((c) => c.name), ["b", "a"], "the default first");
    const [b, a] = serving.clusters;
    assert.equal(b.env.PBS_EXEC, "/env/pbs", "the environment wins for the default cluster");
    assert.equal(a.env.PBS_EXEC, "/file/a", "another cluster keeps its own");
    for (const c of serving.clusters) {
      assert.equal(c.env.PBS_MCP_READ_ONLY, "true", `${c.name}: a global variable reaches all`);
      assert.equal(c.env.PBS_MCP_TIMEOUT_MS, "5000", `${c.name}: a global key reaches all`);
    }
    assert.deepEqual(serving.warnings, [
      `PBS_EXEC is set in the environment and as pbs_exec in ${path}: the environment's value is used`,
    ]);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
    await Deno.remove(dir, { recursive: true });
  }
});
