/**
 * `main.ts doctor`: checks what users get wrong when setting the server up,
 * in the order a fix depends on (configuration, PBS found, server answers,
 * what the server says, files), one line each, with the fix when it fails.
 * Runs the same configuration resolution and runners as the server itself,
 * for every served cluster: with several, each line names its cluster.
 */
import type { CliOptions } from "./cli_args.ts";
import { resolveServing, type ServedCluster, type Serving } from "./config_file.ts";
import { PbsError } from "./pbs/errors.ts";
import { CHILD_ENV_NAMES, PBS_COMMANDS, RealRunner } from "./pbs/real_runner.ts";
import type { Runner } from "./pbs/runner.ts";
import { AuditLog } from "./service/audit.ts";
import { type Config, loadConfig } from "./service/config.ts";
import { demoUser, osUser } from "./service/os_user.ts";
import { PbsClient } from "./service/pbs_client.ts";
import { activeProfile, type SiteProfile } from "./service/profiles.ts";
import { sshWiring, type Wiring } from "./wiring.ts";
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
  try {
    serving = await resolveServing(cli);
  } catch (error) {
    return [configurationFailure(error)];
  }
  const source = serving.file ? serving.file.path : "the environment only";
  const several = serving.clusters.length > 1;
  const served = several
    ? `${serving.clusters.length} clusters: ${
      serving.clusters.map((c, i) => `${c.name} (${c.mode}${i === 0 ? ", default" : ""})`)
        .join(", ")
    }`
    : `${serving.clusters[0].mode} mode`;
  results.push(ok("configuration", `valid (${source}; ${served})`));
  for (const warning of serving.warnings) results.push(ok("configuration", `note: ${warning}`));
  let auditConfig: Config | undefined;
  for (const cluster of serving.clusters) {
    const checks = await clusterChecks(cli, cluster);
    auditConfig ??= checks.config;
    // With several clusters, each line names its cluster as tools' answers do.
    results.push(
      ...checks.results.map((r) => several ? { ...r, name: `[${cluster.name}] ${r.name}` } : r),
    );
  }
  // One audit log for the whole server (a global setting).
  if (auditConfig) results.push(await auditCheck(auditConfig));
  return results;
}

function configurationFailure(error: unknown): CheckResult {
  return fail(
    "configuration",
    messageOf(error),
    "correct the file or variable named (README, Configuration)",
  );
}

/** One cluster's checks, and its settings (undefined when they are invalid). */
async function clusterChecks(
  cli: CliOptions,
  cluster: ServedCluster,
): Promise<{ results: CheckResult[]; config?: Config }> {
  if (cluster.mode === "ssh") return await sshChecks(cli, cluster);
  let config: Config;
  let user: string;
  let profile: SiteProfile | undefined;
  let profileProblem: unknown;
  try {
    const os = cluster.mode === "real" ? await osUser() : undefined;
    const home = cluster.env.HOME || os?.home;
    config = loadConfig(cluster.env, home);
    user = os?.name ?? demoUser(cli.user, cluster.env);
  } catch (error) {
    return { results: [configurationFailure(error)] };
  }
  const scenario = cluster.reach.kind === "simulator" ? cluster.reach.scenario : undefined;
  try {
    profile = await activeProfile(config.profile, scenario);
  } catch (error) {
    profileProblem = error;
  }
  const { runner, found } = pbsRunner(cluster, config, user);
  const client = new PbsClient({ runner, user, config: { ...config, cacheTtlMs: 0 } });
  return {
    config,
    results: [
      found,
      ...await serverChecks(client, found.status === "ok"),
      ...profileChecks(config, profile, profileProblem),
      ...await directoryChecks(config, cluster.mode),
    ],
  };
}

/**
 * A cluster behind a login node: wired as the server wires it (wiring.ts),
 * so the login node is asked who the user is through ssh; then the same
 * server checks, through the SSH runner.
 */
async function sshChecks(
  cli: CliOptions,
  cluster: ServedCluster,
): Promise<{ results: CheckResult[]; config?: Config }> {
  let wiring: Wiring;
  try {
    wiring = await sshWiring(cli, cluster);
  } catch (error) {
    return { results: [configurationFailure(error)] };
  }
  const { config, runner, user } = wiring;
  const where = wiring.reach.replace(/^ssh /, "");
  if (!wiring.login || "error" in wiring.login) {
    const error = wiring.login?.error;
    const pbs = error instanceof PbsError && error.pbsMessage
      ? ` (ssh said: ${oneLine(error.pbsMessage)})`
      : "";
    const reach = cluster.reach as Extract<ServedCluster["reach"], { kind: "ssh" }>;
    const ssh = `ssh${reach.port !== undefined ? ` -p ${reach.port}` : ""} ${where}`;
    const login = `\`${ssh} id -un\` must work from a terminal without a prompt: load your ` +
      `key with ssh-add, or open a master connection with \`ssh -fNM ${where}\` ` +
      "(ControlMaster/ControlPath in ~/.ssh/config) where the centre requires a password or MFA";
    const hint = error instanceof PbsError && error.hint
      ? /ssh -fNM/.test(error.hint) ? error.hint : `${error.hint} Then ${login}.`
      : `${login[0].toUpperCase()}${login.slice(1)}.`;
    const unanswered = "the login node did not answer";
    return {
      config,
      results: [
        fail("login node", `${where} did not answer through ssh: ${messageOf(error)}${pbs}`, hint),
        ...["PBS server", "PBS version", "job history", "privileges"].map((n) =>
          skip(n, unanswered)
        ),
        ...profileChecks(config, wiring.profile, undefined),
        skip("allowed directories", unanswered),
      ],
    };
  }
  const client = new PbsClient({ runner, user, config: { ...config, cacheTtlMs: 0 } });
  const dirs = config.allowedDirs;
  return {
    config,
    results: [
      ok("login node", `${where} answers through ssh: you are ${wiring.login.user} there`),
      ...await serverChecks(client, true),
      ...profileChecks(config, wiring.profile, undefined),
      // Never empty: without allowed_dirs, the remote home (wiring.ts).
      ok(
        "allowed directories",
        `${dirs.join(", ")} on the login node (read through ssh; whether they exist is not ` +
          "checked from here: get_job_output says so when one is missing)",
      ),
      ok(
        "submit directory",
        `qsub runs in ${
          config.submitDir ?? (wiring.login.home || "the remote home")
        } on the login node`,
      ),
    ],
  };
}

/** The site profile's required resources and their defaults, when there is a profile. */
function profileChecks(
  config: Config,
  profile: SiteProfile | undefined,
  problem: unknown,
): CheckResult[] {
  if (problem !== undefined) {
    return [
      fail(
        "site profile",
        oneLine(messageOf(problem)),
        "name a built-in profile (polaris, aurora) or a readable YAML file in profile: " +
          "(PBS_MCP_PROFILE)",
      ),
    ];
  }
  if (!profile) return [];
  const required = profile.required_resources.map((r) =>
    r.default !== undefined
      ? `-l ${r.name} (default ${r.default})`
      : `-l ${r.name} (no default: submissions without it are refused, e.g. ${r.example})`
  );
  return [
    ok(
      "site profile",
      `"${profile.name}"${config.profile ? "" : " (the scenario's own)"}; ${
        required.length > 0 ? `jobs must request ${required.join(", ")}` : "no resource is required"
      }`,
    ),
  ];
}

/** The runner the server would use, and whether its PBS commands are found. */
function pbsRunner(
  cluster: ServedCluster,
  config: Config,
  user: string,
): { runner: Runner; found: CheckResult } {
  if (cluster.reach.kind === "simulator") {
    const scenario = cluster.reach.scenario;
    const complex = createScenario(scenario, { seed: 1 });
    return {
      runner: new SimRunner({ complex, user }),
      found: ok("PBS commands", `simulated "${scenario}" complex (demo mode), as ${user}`),
    };
  }
  const runner = new RealRunner({
    baseEnv: Object.fromEntries(
      CHILD_ENV_NAMES.flatMap((n) => n in cluster.env ? [[n, cluster.env[n]]] : []),
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

async function directoryChecks(
  config: Config,
  mode: ServedCluster["mode"],
): Promise<CheckResult[]> {
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
