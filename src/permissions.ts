/**
 * The Deno permissions the server needs, and nothing more, computed from its
 * configuration and the PBS installation found. Pure: permission_facts.ts
 * gathers the facts (environment, files, the PBS lookup); this module decides
 * what they allow. `main.ts permissions` prints the result as a `deno run`
 * line, and a client configuration generator grants the same flags.
 *
 * What each permission is for:
 * - run: the PBS commands found, by absolute path (Deno resolves a bare name
 *   on PATH once, at start-up, so a command found through PBS_EXEC or
 *   pbs.conf needs its path); `id` when the caller's uid has no passwd entry;
 *   `extraPrograms` for what a configuration adds (ssh, a site's allocation
 *   command). Nothing else can be started, whatever a tool is made to try.
 * - env: the variables the server reads by name (src/env.ts).
 * - read: the allowed directories, the submit directory, the configuration
 *   file, pbs.conf, the passwd file, the PBS commands (the runner checks each is an executable file),
 *   demo mode's output, HTTP mode's token, certificate and key files.
 * - write: the audit log's directory, demo mode's output, the HTTP socket.
 * - net: the HTTP listener only.
 * - sys: `uid` (who the caller is); everything for `--socket`, because the
 *   private socket is created under a umask and Deno names no narrower grant
 *   for `Deno.umask`.
 */
import { dirname, join } from "node:path";
import type { HttpListenOptions } from "./cli_args.ts";
import { CHILD_ENV_NAMES } from "./pbs/real_runner.ts";
import { SSH_ENV_NAMES } from "./pbs/ssh_runner.ts";
import { defaultAuditPath } from "./service/audit.ts";
import { CONFIG_ENV_NAMES } from "./service/config.ts";
import { HTTP_ENV_NAMES } from "./transports/http_config.ts";

/** How one served cluster is reached: this machine's PBS, the simulator, or ssh. */
export type ServeMode = "real" | "demo" | "ssh";

/** Demo mode's caller comes from these (os_user.ts, demoUser). */
const DEMO_CALLER_ENV_NAMES = ["USER", "LOGNAME"];

/**
 * Every variable the server reads in `mode`: main.ts reads exactly these, and
 * `--allow-env` grants exactly these. Real mode adds what PBS commands inherit
 * (CHILD_ENV_NAMES, which includes the PBS lookup's PBS_EXEC, PATH and
 * PBS_CONF_FILE); an ssh cluster the same (its settings are read alike) and
 * what the local ssh inherits (SSH_ENV_NAMES); HTTP mode adds its tokens and
 * limits.
 */
export function serverEnvNames(mode: ServeMode, http: boolean): string[] {
  return unique([
    "HOME",
    ...CONFIG_ENV_NAMES,
    ...(mode === "demo" ? DEMO_CALLER_ENV_NAMES : CHILD_ENV_NAMES),
    ...(mode === "ssh" ? SSH_ENV_NAMES : []),
    ...(http ? HTTP_ENV_NAMES : []),
  ]);
}

/**
 * Demo mode's simulated jobs write their output under here (one temporary
 * directory per run, removed at exit): next to the default audit log, in the
 * per-user state directory that the shipped tasks already let the server write.
 */
export function demoOutputBase(home: string | undefined): string | undefined {
  const audit = defaultAuditPath(home);
  return audit ? join(dirname(audit), "demo") : undefined;
}

/** What the permissions are computed from; every path absolute. */
export interface PermissionFacts {
  mode: ServeMode;
  http?: HttpListenOptions;
  /** The PBS commands found (real mode): the programs PBS tools may run. */
  pbsPrograms: readonly string[];
  /** `id`, when the caller's uid has no passwd entry and os_user.ts must ask it. */
  idProgram?: string;
  /**
   * Further programs this configuration runs: the place for `ssh` (an SSH
   * runner) and a site profile's allocation command when they exist.
   */
  extraPrograms?: readonly string[];
  /** The pbs.conf the PBS lookup reads last (real mode). */
  pbsConfFile?: string;
  /** The passwd file os_user.ts reads (real mode). */
  passwdFile?: string;
  /** Directories tools read files from; add each one's resolved path when it differs. */
  allowedDirs: readonly string[];
  /** Where qsub runs (real mode: checked at start-up). */
  submitDir?: string;
  auditLog?: string;
  /** demoOutputBase(home) in demo mode, when there is a home. */
  demoOutputBase?: string;
  /** HTTP mode's tokens file, certificate and key. */
  httpFiles?: readonly string[];
  /** The configuration file read at start-up (given or default; src/config_file.ts). */
  configFile?: string;
}

export interface DenoPermissions {
  run: string[];
  env: string[];
  read: string[];
  write: string[];
  net: string[];
  /** `true`: unrestricted. */
  sys: string[] | true;
}

/**
 * What one served cluster needs (mergePermissions joins several). Real mode
 * and ssh clusters ask who the OS user is (the passwd file, `uid`, `id`): an
 * ssh cluster when its login node does not say.
 */
export function computePermissions(facts: PermissionFacts): DenoPermissions {
  const real = facts.mode === "real";
  const osUser = facts.mode !== "demo";
  const socket = facts.http?.kind === "unix" ? facts.http.path : undefined;
  return {
    run: unique([
      ...(real ? facts.pbsPrograms : []),
      osUser ? facts.idProgram : undefined,
      ...(facts.extraPrograms ?? []),
    ]),
    env: serverEnvNames(facts.mode, facts.http !== undefined),
    read: unique([
      ...facts.allowedDirs,
      ...(real
        ? [facts.submitDir, facts.pbsConfFile, facts.passwdFile, ...facts.pbsPrograms]
        : osUser
        ? [facts.passwdFile]
        : []),
      // The runner checks a program is an executable file before starting it.
      ...(facts.extraPrograms ?? []),
      facts.demoOutputBase,
      ...(facts.httpFiles ?? []),
      facts.configFile,
      socket,
    ]),
    write: unique([
      facts.auditLog ? dirname(facts.auditLog) : undefined,
      facts.demoOutputBase,
      socket,
    ]),
    net: facts.http ? [listenAddress(facts.http)] : [],
    sys: socket ? true : osUser ? ["uid"] : [],
  };
}

/** What serving several clusters needs: each one's permissions, together. */
export function mergePermissions(all: readonly DenoPermissions[]): DenoPermissions {
  const joined = (pick: (p: DenoPermissions) => string[]) => unique(all.flatMap(pick));
  return {
    run: joined((p) => p.run),
    env: joined((p) => p.env),
    read: joined((p) => p.read),
    write: joined((p) => p.write),
    net: joined((p) => p.net),
    sys: all.some((p) => p.sys === true) ? true : joined((p) => p.sys === true ? [] : p.sys),
  };
}

/** The `--allow-net` entry of a listener. */
function listenAddress(http: HttpListenOptions): string {
  if (http.kind === "unix") return `unix:${http.path}`;
  const host = http.hostname.includes(":") && !http.hostname.startsWith("[")
    ? `[${http.hostname}]`
    : http.hostname;
  return http.port === 0 ? host : `${host}:${http.port}`;
}

/**
 * Variables read as unset (`--ignore-env`) rather than refused: npm:yaml looks
 * at its debug switches LOG_TOKENS and LOG_STREAM on every parse of the
 * configuration file (parse/parser.js, compose/composer.js). Not granted, so
 * they can neither fail the parse nor make it print to stdout, the protocol's.
 */
export const IGNORED_ENV_NAMES: readonly string[] = ["LOG_TOKENS", "LOG_STREAM"];

/**
 * The `deno run` flags granting `permissions`; `--no-prompt` so anything not
 * granted fails at once instead of asking on a terminal. A kind with nothing
 * to grant gets no flag: nothing of it is allowed.
 */
export function permissionFlags(permissions: DenoPermissions): string[] {
  const flags = ["--no-prompt", `--ignore-env=${IGNORED_ENV_NAMES.join(",")}`];
  const grant = (kind: string, values: readonly string[]) => {
    for (const value of values) {
      if (value.includes(",")) {
        throw new Error(
          `cannot grant ${kind} access to ${value}: a Deno permission list cannot hold a comma`,
        );
      }
    }
    if (values.length > 0) flags.push(`--allow-${kind}=${values.join(",")}`);
  };
  grant("run", permissions.run);
  grant("env", permissions.env);
  grant("read", permissions.read);
  grant("write", permissions.write);
  grant("net", permissions.net);
  if (permissions.sys === true) flags.push("--allow-sys");
  else grant("sys", permissions.sys);
  return flags;
}

/** The paths given, once each, without those inside another (a grant covers what is below it). */
function unique(values: ReadonlyArray<string | undefined>): string[] {
  const set = [...new Set(values.filter((v): v is string => v !== undefined && v !== ""))];
  return set.filter((path) => !set.some((other) => other !== path && isBelow(path, other)));
}

function isBelow(path: string, dir: string): boolean {
  if (!path.startsWith("/") || !dir.startsWith("/")) return false;
  const base = dir.replace(/\/+$/, "");
  return path.startsWith(`${base}/`);
}
