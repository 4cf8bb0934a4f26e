/**
 * src/permissions.ts: what each configuration is granted, and the flags that
 * grant it. Pure; tests/e2e/permissions.test.ts runs a server with the result.
 */
import assert from "node:assert/strict";
import { CHILD_ENV_NAMES } from "../../src/pbs/real_runner.ts";
import { SSH_ENV_NAMES } from "../../src/pbs/ssh_runner.ts";
import {
  computePermissions,
  demoOutputBase,
  mergePermissions,
  type PermissionFacts,
  permissionFlags,
  serverEnvNames,
} from "../../src/permissions.ts";
import { CONFIG_VARIABLES } from "../../src/service/config.ts";
import { HTTP_ENV_NAMES } from "../../src/transports/http_config.ts";

const HOME = "/home/alice";
const AUDIT_DIR = `${HOME}/.local/state/pbs-mcp`;

function realFacts(overrides: Partial<PermissionFacts> = {}): PermissionFacts {
  return {
    mode: "real",
    pbsPrograms: ["/opt/pbs/bin/qstat", "/opt/pbs/bin/qsub"],
    pbsConfFile: "/etc/pbs.conf",
    passwdFile: "/etc/passwd",
    allowedDirs: [HOME, "/lus/project"],
    submitDir: HOME,
    auditLog: `${AUDIT_DIR}/audit.jsonl`,
    ...overrides,
  };
}

function demoFacts(overrides: Partial<PermissionFacts> = {}): PermissionFacts {
  return {
    mode: "demo",
    pbsPrograms: [],
    allowedDirs: [HOME],
    auditLog: `${AUDIT_DIR}/audit.jsonl`,
    demoOutputBase: demoOutputBase(HOME),
    ...overrides,
  };
}

Deno.test("computePermissions", async (t) => {
  await t.step("real mode: the PBS programs by path, reads, the audit directory, uid", () => {
    const p = computePermissions(realFacts());
    assert.deepEqual(p.run, ["/opt/pbs/bin/qstat", "/opt/pbs/bin/qsub"]);
    assert.deepEqual(p.read, [
      HOME,
      "/lus/project",
      "/etc/pbs.conf",
      "/etc/passwd",
      "/opt/pbs/bin/qstat",
      "/opt/pbs/bin/qsub",
    ]);
    assert.deepEqual(p.write, [AUDIT_DIR]);
    assert.deepEqual(p.net, []);
    assert.deepEqual(p.sys, ["uid"]);
  });

  await t.step("id when the uid has no passwd entry; extra programs (ssh) when configured", () => {
    const p = computePermissions(
      realFacts({ idProgram: "/usr/bin/id", extraPrograms: ["/usr/bin/ssh"] }),
    );
    assert.deepEqual(p.run, [
      "/opt/pbs/bin/qstat",
      "/opt/pbs/bin/qsub",
      "/usr/bin/id",
      "/usr/bin/ssh",
    ]);
  });

  await t.step("a submit dir or audit log elsewhere is granted as such", () => {
    const p = computePermissions(
      realFacts({ submitDir: "/scratch/alice", auditLog: "/var/log/pbs-mcp/alice.jsonl" }),
    );
    assert.ok(p.read.includes("/scratch/alice"));
    assert.deepEqual(p.write, ["/var/log/pbs-mcp"]);
  });

  await t.step("no installation found: nothing may run", () => {
    const p = computePermissions(realFacts({ pbsPrograms: [] }));
    assert.deepEqual(p.run, []);
    assert.ok(!permissionFlags(p).some((f) => f.startsWith("--allow-run")));
  });

  await t.step("demo mode: no program, no sys; its output below the state directory", () => {
    const p = computePermissions(demoFacts());
    assert.equal(demoOutputBase(HOME), `${AUDIT_DIR}/demo`);
    assert.deepEqual(p.run, []);
    assert.deepEqual(p.sys, []);
    // The output directory lies within both grants already.
    assert.deepEqual(p.read, [HOME]);
    assert.deepEqual(p.write, [AUDIT_DIR]);
  });

  await t.step("demo mode grants no PBS program", () => {
    const p = computePermissions(demoFacts({ pbsPrograms: ["/opt/pbs/bin/qstat"] }));
    assert.deepEqual(p.run, []);
  });

  await t.step("HTTP on TCP: the listener only, and the token and TLS files", () => {
    const p = computePermissions(realFacts({
      http: { kind: "tcp", hostname: "127.0.0.1", port: 8765, cert: "/c.pem", key: "/k.pem" },
      httpFiles: ["/home/alice/.config/pbs-mcp/tokens", "/c.pem", "/k.pem"],
    }));
    assert.deepEqual(p.net, ["127.0.0.1:8765"]);
    assert.ok(p.read.includes("/c.pem") && p.read.includes("/k.pem"));
    assert.deepEqual(p.sys, ["uid"]);
    const any = computePermissions(realFacts({
      http: { kind: "tcp", hostname: "::1", port: 0 },
    }));
    assert.deepEqual(any.net, ["[::1]"]);
  });

  await t.step("HTTP on a Unix socket: that path, and sys for the umask", () => {
    const socket = `${HOME}/.pbs-mcp/mcp.sock`;
    const p = computePermissions(demoFacts({ http: { kind: "unix", path: socket } }));
    assert.deepEqual(p.net, [`unix:${socket}`]);
    assert.ok(p.write.includes(socket));
    assert.equal(p.sys, true);
    assert.ok(permissionFlags(p).includes("--allow-sys"));
  });
});

Deno.test("permissionFlags", async (t) => {
  await t.step("one flag per kind with something to grant, never a bare one", () => {
    const flags = permissionFlags(computePermissions(realFacts()));
    assert.equal(flags[0], "--no-prompt");
    // npm:yaml's debug switches read as unset (permissions.ts, IGNORED_ENV_NAMES).
    assert.equal(flags[1], "--ignore-env=LOG_TOKENS,LOG_STREAM");
    assert.equal(flags[2], "--allow-run=/opt/pbs/bin/qstat,/opt/pbs/bin/qsub");
    assert.ok(flags.includes(`--allow-write=${AUDIT_DIR}`));
    assert.ok(flags.includes("--allow-sys=uid"));
    for (const flag of flags.slice(2)) assert.match(flag, /^--allow-(run|env|read|write|sys)=/);
  });

  await t.step("a path with a comma cannot be expressed and is refused", () => {
    assert.throws(
      () => permissionFlags(computePermissions(realFacts({ allowedDirs: ["/data/a,b"] }))),
      /cannot grant read access to \/data\/a,b/,
    );
  });
});

Deno.test("an ssh cluster, and several clusters served together", async (t) => {
  const ssh: PermissionFacts = {
    mode: "ssh",
    pbsPrograms: [],
    extraPrograms: ["/usr/bin/ssh"],
    passwdFile: "/etc/passwd",
    allowedDirs: [],
    auditLog: `${AUDIT_DIR}/audit.jsonl`,
  };

  await t.step("ssh: the ssh program, what it inherits, who the OS user is", () => {
    const p = computePermissions(ssh);
    assert.deepEqual(p.run, ["/usr/bin/ssh"]);
    assert.deepEqual(p.read, ["/etc/passwd", "/usr/bin/ssh"]);
    assert.deepEqual(p.write, [AUDIT_DIR]);
    assert.deepEqual(p.sys, ["uid"]);
    for (const name of SSH_ENV_NAMES) assert.ok(p.env.includes(name), name);
    assert.ok(!serverEnvNames("real", false).includes("SSH_AUTH_SOCK"));
  });

  await t.step("merged: the union of every cluster's grants", () => {
    const merged = mergePermissions([demoFacts(), realFacts(), ssh].map(computePermissions));
    assert.deepEqual(merged.run, ["/opt/pbs/bin/qstat", "/opt/pbs/bin/qsub", "/usr/bin/ssh"]);
    assert.ok(merged.write.includes(AUDIT_DIR));
    // The demo output base lies inside the audit directory: one grant covers both.
    assert.deepEqual(merged.write, [AUDIT_DIR]);
    assert.ok(merged.env.includes("SSH_AUTH_SOCK") && merged.env.includes("PBS_EXEC"));
    assert.ok(merged.env.includes("LOGNAME"), "the demo caller's name");
    assert.deepEqual(merged.sys, ["uid"]);
    const socket = computePermissions(demoFacts({ http: { kind: "unix", path: "/run/x.sock" } }));
    assert.equal(mergePermissions([socket, computePermissions(ssh)]).sys, true);
  });
});

Deno.test("serverEnvNames: every variable the server reads, and only those", async (t) => {
  const documented = CONFIG_VARIABLES.map(([name]) => name);

  await t.step("every documented configuration variable is granted in both modes", () => {
    for (const mode of ["real", "demo"] as const) {
      const names = serverEnvNames(mode, false);
      const lookup = mode === "real" ? [] : ["PBS_EXEC", "PBS_CONF_FILE"];
      for (const name of documented.filter((n) => !lookup.includes(n))) {
        assert.ok(names.includes(name), `${mode}: ${name}`);
      }
    }
  });

  await t.step("real mode adds what PBS commands inherit; demo mode the caller's name", () => {
    const real = serverEnvNames("real", false);
    for (const name of CHILD_ENV_NAMES) assert.ok(real.includes(name), name);
    assert.ok(!real.includes("PWD"));
    const demo = serverEnvNames("demo", false);
    assert.ok(demo.includes("USER") && demo.includes("HOME"));
    assert.ok(!demo.includes("PATH") && !demo.includes("PBS_EXEC"));
  });

  await t.step("HTTP variables only in HTTP mode", () => {
    assert.ok(!serverEnvNames("real", false).includes("PBS_MCP_HTTP_TOKEN"));
    for (const name of HTTP_ENV_NAMES) assert.ok(serverEnvNames("demo", true).includes(name));
  });

  await t.step("PBS commands never inherit the server's own settings or secrets", () => {
    assert.deepEqual(CHILD_ENV_NAMES.filter((n) => n.startsWith("PBS_MCP_")), []);
    assert.deepEqual(CHILD_ENV_NAMES.filter((n) => /^(PWD|LD_)/.test(n)), []);
  });
});
