/**
 * `main.ts doctor`: checks what users get wrong when setting the server up,
 * in the order a fix depends on (configuration, PBS found, server answers,
 * what the server says, files), one line each, with the fix when it fails.
 * Runs the same configuration resolution and runners as the server itself.
 */
import type { CliOptions } from "./cli_args.ts";
import { resolveServing, type Serving } from "./config_file.ts";
import { PbsError } from "./pbs/errors.ts";
import { CHILD_ENV_NAMES, PBS_COMMANDS, RealRunner } from "./pbs/real_runner.ts";
import type { Runner } from "./pbs/runner.ts";
import { AuditLog } from "./service/audit.ts";
import { type Config, loadConfig } from "./service/config.ts";
import { demoUser, osUser } from "./service/os_user.ts";
import { PbsClient } from "./service/pbs_client.ts";
import { createScenario, SimRunner } from "../sim/mod.ts";

export type CheckStatus = "ok" | "FAIL" | "skip";

export interface CheckResult {
  status: CheckStatus;
  /** What was checked, e.g. "PBS server". */
  name: string;
  /** What was found. */
  detail: string;
  /** How to fix it (failures). */
  fix?: string;
}

/** One line: `ok   NAME: DETAIL`, `FAIL NAME: DETAIL; fix: FIX`. */
export function formatCheck(check: CheckResult): string {
  const fix = check.fix ? `; fix: ${check.fix}` : "";
  return `${check.status.padEnd(4)} ${check.name}: ${check.detail}${fix}`;
}

const ok = (name: string, detail: string): CheckResult => ({ status: "ok", name, detail });
const fail = (name: string, detail: string, fix: string): CheckResult => ({
  status: "FAIL",
  name,
  detail,
  fix,
});
const skip = (name: string, why: string): CheckResult => ({ status: "skip", name, detail: why });

const messageOf = (error: unknown) => error instanceof Error ? error.message : String(error);

/** Every check for serving as `cli` says; the server is never started. */
export async function runDoctor(cli: CliOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let serving: Serving;
  let config: Config;
  let user: string;
  try {
    serving = await resolveServing(cli);
    const os = serving.mode === "real" ? await osUser() : undefined;
    const home = serving.env.HOME || os?.home;
    config = loadConfig(serving.env, home);
    user = os?.name ?? demoUser(cli.user, serving.env);
  } catch (error) {
    return [
      fail(
        "configuration",
        messageOf(error),
        "correct the file or variable named (README, Configuration)",
      ),
    ];
  }
  const source = serving.file ? serving.file.path : "the environment only";
  results.push(ok("configuration", `valid (${source}; ${serving.mode} mode)`));
  for (const warning of serving.warnings) results.push(ok("configuration", `note: ${warning}`));

  const { runner, found } = pbsRunner(serving, config, user);
  results.push(found);
  const client = new PbsClient({ runner, user, config: { ...config, cacheTtlMs: 0 } });
  results.push(...await serverChecks(client, found.status === "ok"));
  results.push(...await directoryChecks(config, serving.mode));
  results.push(await auditCheck(config));
  return results;
}

/** The runner the server would use, and whether its PBS commands are found. */
function pbsRunner(
  serving: Serving,
  config: Config,
  user: string,
): { runner: Runner; found: CheckResult } {
  if (serving.mode === "demo") {
    const complex = createScenario(serving.scenario, { seed: 1 });
    return {
      runner: new SimRunner({ complex, user }),
      found: ok("PBS commands", `simulated "${serving.scenario}" complex (demo mode), as ${user}`),
    };
  }
  const runner = new RealRunner({
    baseEnv: Object.fromEntries(
      CHILD_ENV_NAMES.flatMap((n) => n in serving.env ? [[n, serving.env[n]]] : []),
    ),
    defaultTimeoutMs: config.timeoutMs,
  });
  const installation = runner.describeInstallation();
  const missing = [...PBS_COMMANDS].filter((name) => {
    try {
      runner.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (installation.source === "not_found") {
    return {
      runner,
      found: fail(
        "PBS commands",
        installation.description,
        "set PBS_EXEC (or pbs_exec: in the configuration file) to the PBS installation " +
          "directory holding bin/, or add its bin directory to PATH; without PBS, try --demo",
      ),
    };
  }
  const detail = installation.description +
    (missing.length > 0 ? ` (not there, so the tools using them fail: ${missing.join(", ")})` : "");
  return { runner, found: ok("PBS commands", detail) };
}

async function serverChecks(client: PbsClient, pbsFound: boolean): Promise<CheckResult[]> {
  const dependent = ["PBS version", "job history", "privileges"];
  if (!pbsFound) {
    return [
      skip("PBS server", "no PBS commands to ask with"),
      ...dependent.map((n) => skip(n, "no PBS commands to ask with")),
    ];
  }
  let server;
  try {
    server = await client.server();
  } catch (error) {
    const hint = error instanceof PbsError && error.hint ? error.hint : "check PBS_SERVER";
    const pbs = error instanceof PbsError && error.pbsMessage
      ? ` (PBS said: ${oneLine(error.pbsMessage)})`
      : "";
    return [
      fail("PBS server", `qstat -Bf failed: ${oneLine(messageOf(error))}${pbs}`, hint),
      ...dependent.map((n) => skip(n, "the server did not answer")),
    ];
  }
  const results = [ok("PBS server", `${server.name} answers (qstat -Bf)`)];
  results.push(
    server.version ? ok("PBS version", server.version) : fail(
      "PBS version",
      "the server reports no pbs_version",
      "this server expects OpenPBS or PBS Professional; check which scheduler answers qstat",
    ),
  );
  results.push(
    server.jobHistoryEnable
      ? ok(
        "job history",
        `enabled (job_history_duration ${server.jobHistoryDuration ?? "336:00:00, PBS's default"})`,
      )
      : fail(
        "job history",
        "job_history_enable is off: finished jobs vanish from qstat, so their exit status, " +
          "usage and output paths cannot be reported",
        "ask the PBS administrators to run qmgr -c 'set server job_history_enable = True'",
      ),
  );
  try {
    const identity = await client.identity();
    results.push(ok("privileges", `you are ${identity.user}, a PBS ${identity.role}`));
  } catch (error) {
    results.push(
      fail(
        "privileges",
        `qmgr -c 'list server' failed: ${oneLine(messageOf(error))}`,
        error instanceof PbsError && error.hint ? error.hint : "check that qmgr is installed",
      ),
    );
  }
  return results;
}

async function directoryChecks(config: Config, mode: Serving["mode"]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (config.allowedDirs.length === 0) {
    results.push(
      fail(
        "allowed directories",
        "none (HOME is unset and PBS_MCP_ALLOWED_DIRS is not set)",
        "set PBS_MCP_ALLOWED_DIRS (or allowed_dirs: in the configuration file)",
      ),
    );
  }
  for (const dir of config.allowedDirs) {
    const problem = await unreadableDir(dir);
    results.push(
      problem
        ? fail(
          "allowed directory",
          `${dir}: ${problem}`,
          "create it, or remove it from PBS_MCP_ALLOWED_DIRS (allowed_dirs:)",
        )
        : ok("allowed directory", `${dir} is readable`),
    );
  }
  if (mode === "demo") {
    results.push(skip("submit directory", "demo mode submits in the simulated home"));
  } else if (!config.submitDir) {
    results.push(
      fail("submit directory", "none (HOME is unset)", "set PBS_MCP_SUBMIT_DIR (submit_dir:)"),
    );
  } else {
    const problem = await unreadableDir(config.submitDir);
    results.push(
      problem
        ? fail(
          "submit directory",
          `${config.submitDir}: ${problem}`,
          "create it, or set PBS_MCP_SUBMIT_DIR (submit_dir:) to a directory that exists",
        )
        : ok("submit directory", `qsub runs in ${config.submitDir}`),
    );
  }
  return results;
}

/** Why `dir` cannot be listed, or undefined when it can. */
async function unreadableDir(dir: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) return "not a directory";
    for await (const _ of Deno.readDir(dir)) break;
    return undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "does not exist";
    if (error instanceof Deno.errors.PermissionDenied) return "not readable by you";
    if (error instanceof Deno.errors.NotCapable) return "not readable under these Deno permissions";
    return messageOf(error);
  }
}

/** The audit log opens for appending, as the server checks before each change. */
async function auditCheck(config: Config): Promise<CheckResult> {
  const log = new AuditLog(config.auditLog);
  try {
    await log.ready();
    return ok("audit log", `${config.auditLog} is writable`);
  } catch (error) {
    return fail(
      "audit log",
      `${oneLine(messageOf(error))}: every change would be refused`,
      error instanceof PbsError && error.hint
        ? error.hint
        : "set PBS_MCP_AUDIT_LOG (audit_log:) to a file you may write",
    );
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " / ").trim();
}

/** Prints each check on stdout; 0 when every check passed (or was skipped in demo mode). */
export async function doctorMain(cli: CliOptions): Promise<number> {
  const results = await runDoctor(cli);
  for (const result of results) console.log(formatCheck(result));
  const failed = results.filter((r) => r.status === "FAIL").length;
  console.log(
    failed === 0
      ? "all checks passed"
      : `${failed} check${failed === 1 ? "" : "s"} failed: fix ${
        failed === 1 ? "it" : "them"
      } and run doctor again`,
  );
  return failed === 0 ? 0 : 1;
}
