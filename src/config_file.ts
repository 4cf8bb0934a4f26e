/**
 * The YAML configuration file (`--config FILE`, default
 * `~/.config/pbs-mcp/config.yaml` when it exists): another source of the same
 * settings as the environment. Its keys are mapped to the PBS_* / PBS_MCP_*
 * variables (FILE_SETTINGS) and merged under the environment, so loadConfig
 * stays the one place settings are validated. The environment wins for a single
 * run; command-line flags win over both. Every error names its line and column.
 *
 * Every cluster of the file is served: `simulator:` by the in-process
 * simulator, `local: true` by this machine's PBS commands, `ssh:` through the
 * SSH runner. Global keys apply to all of them; a cluster's own keys to it
 * alone. The environment's cluster keys (PBS_EXEC, PBS_SERVER, ...) describe
 * one cluster, so they apply to the default cluster only.
 */
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { SCENARIO_NAMES } from "../sim/mod.ts";
import type { CliOptions } from "./cli_args.ts";
import { readEnv } from "./env.ts";
import { serverEnvNames } from "./permissions.ts";
import { CONFIRM_MODES } from "./service/confirm.ts";

/** Where the file is looked for when `--config` is not given. */
export function defaultConfigPath(home: string | undefined): string | undefined {
  return home ? `${home.replace(/\/+$/, "")}/.config/pbs-mcp/config.yaml` : undefined;
}

const text = z.string().min(1);
const positiveInt = z.number().int().positive();
const dirList = z.array(text.startsWith("/", "must be an absolute path"));

const SshSchema = z.strictObject({
  host: text,
  user: text.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  options: z.array(z.string()).optional(),
});

const ClusterSchema = z.strictObject({
  simulator: z.enum(SCENARIO_NAMES as unknown as [string, ...string[]]).optional(),
  local: z.literal(true).optional(),
  ssh: SshSchema.optional(),
  pbs_exec: text.startsWith("/", "must be an absolute path").optional(),
  pbs_server: text.optional(),
  default_queue: text.optional(),
  account: text.optional(),
  allowed_dirs: dirList.optional(),
  submit_dir: text.startsWith("/", "must be an absolute path").optional(),
  profile: text.optional(),
});

const LimitsSchema = z.strictObject({
  max_concurrent_commands: positiveInt.optional(),
  max_batch_jobs: positiveInt.optional(),
  max_submits_per_minute: positiveInt.optional(),
  max_nodes: positiveInt.optional(),
  max_walltime: text.optional(),
});

const FileSchema = z.strictObject({
  default_cluster: text.optional(),
  // Names appear in tool schemas, URIs (?cluster=NAME) and state directories (--state DIR/NAME).
  clusters: z.record(
    z.string().regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
      "a cluster name is 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
    ),
    ClusterSchema,
  ).optional(),
  audit_log: text.optional(),
  confirm: z.enum(CONFIRM_MODES).optional(),
  read_only: z.boolean().optional(),
  log_level: z.enum(["debug", "info", "warn", "error"]).optional(),
  timeout_ms: positiveInt.optional(),
  cache_ttl_ms: z.number().int().min(0).optional(),
  max_output_bytes: positiveInt.optional(),
  toolsets: z.array(text).optional(),
  exclude_tools: z.array(text).optional(),
  limits: LimitsSchema.optional(),
});

type FileShape = z.infer<typeof FileSchema>;
type ClusterShape = z.infer<typeof ClusterSchema>;

/** How a cluster is reached. */
export type ClusterReach =
  | { kind: "simulator"; scenario: string }
  | { kind: "local" }
  | { kind: "ssh"; host: string; user?: string; port?: number; options: string[] };

/** One cluster of the file. */
export interface ConfiguredCluster {
  name: string;
  reach: ClusterReach;
  /** Its settings, global ones included, as the environment variables they stand for. */
  env: Record<string, string>;
}

export interface ConfigFile {
  path: string;
  /** Every cluster, in the file's order; empty when the file defines none. */
  clusters: ConfiguredCluster[];
  /** The cluster tools use when a call names none (`default_cluster`, else the first). */
  defaultCluster?: string;
  /** The default cluster's settings (the global ones alone without clusters). */
  env: Record<string, string>;
}

const asText = (v: unknown) =>
  Array.isArray(v) ? v.join(",") : typeof v === "boolean" ? String(v) : String(v);

/**
 * Each file setting and the variable it stands for. Cluster keys are read from
 * the served cluster; `allowed_dirs` joins with ':' as PBS_MCP_ALLOWED_DIRS does.
 * PBS_MCP_PROFILE names the site profile (read by the site-profile module).
 */
const FILE_SETTINGS: ReadonlyArray<{
  key: string;
  from: (file: FileShape, cluster?: ClusterShape) => unknown;
  env: string;
  format?: (v: unknown) => string;
  /** A cluster's own key (read from its entry), not a global one. */
  perCluster?: true;
}> = [
  { key: "audit_log", from: (f) => f.audit_log, env: "PBS_MCP_AUDIT_LOG" },
  { key: "confirm", from: (f) => f.confirm, env: "PBS_MCP_CONFIRM" },
  { key: "read_only", from: (f) => f.read_only, env: "PBS_MCP_READ_ONLY" },
  { key: "log_level", from: (f) => f.log_level, env: "PBS_MCP_LOG_LEVEL" },
  { key: "timeout_ms", from: (f) => f.timeout_ms, env: "PBS_MCP_TIMEOUT_MS" },
  { key: "cache_ttl_ms", from: (f) => f.cache_ttl_ms, env: "PBS_MCP_CACHE_TTL_MS" },
  { key: "max_output_bytes", from: (f) => f.max_output_bytes, env: "PBS_MCP_MAX_OUTPUT_BYTES" },
  { key: "toolsets", from: (f) => f.toolsets, env: "PBS_MCP_TOOLSETS" },
  { key: "exclude_tools", from: (f) => f.exclude_tools, env: "PBS_MCP_EXCLUDE_TOOLS" },
  {
    key: "limits.max_concurrent_commands",
    from: (f) => f.limits?.max_concurrent_commands,
    env: "PBS_MCP_MAX_CONCURRENT_COMMANDS",
  },
  {
    key: "limits.max_batch_jobs",
    from: (f) => f.limits?.max_batch_jobs,
    env: "PBS_MCP_MAX_BATCH_JOBS",
  },
  {
    key: "limits.max_submits_per_minute",
    from: (f) => f.limits?.max_submits_per_minute,
    env: "PBS_MCP_MAX_SUBMITS_PER_MINUTE",
  },
  { key: "limits.max_nodes", from: (f) => f.limits?.max_nodes, env: "PBS_MCP_MAX_NODES" },
  { key: "limits.max_walltime", from: (f) => f.limits?.max_walltime, env: "PBS_MCP_MAX_WALLTIME" },
  { key: "pbs_exec", from: (_, c) => c?.pbs_exec, env: "PBS_EXEC", perCluster: true },
  { key: "pbs_server", from: (_, c) => c?.pbs_server, env: "PBS_SERVER", perCluster: true },
  { key: "account", from: (_, c) => c?.account, env: "PBS_ACCOUNT", perCluster: true },
  {
    key: "allowed_dirs",
    from: (_, c) => c?.allowed_dirs,
    env: "PBS_MCP_ALLOWED_DIRS",
    format: (v) => (v as string[]).join(":"),
    perCluster: true,
  },
  { key: "submit_dir", from: (_, c) => c?.submit_dir, env: "PBS_MCP_SUBMIT_DIR", perCluster: true },
  { key: "profile", from: (_, c) => c?.profile, env: "PBS_MCP_PROFILE", perCluster: true },
];

/** The variables a configuration file may set (granted to --allow-env alongside). */
export const FILE_ENV_NAMES: readonly string[] = FILE_SETTINGS.map((s) => s.env);

/** The variables that describe one cluster (PBS_EXEC, PBS_SERVER, ...). */
export const CLUSTER_ENV_NAMES: readonly string[] = FILE_SETTINGS
  .filter((s) => s.perCluster)
  .map((s) => s.env);

/** A configuration file problem, with where it is. */
export class ConfigFileError extends Error {}

/** Parses and validates `text` (the contents of `path`); throws ConfigFileError. */
export function parseConfigFile(path: string, source: string): ConfigFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return `${path}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigFileError(
      doc.errors.map((e) => `${where(e.pos[0])}: ${firstLine(e.message)}`).join("\n"),
    );
  }
  const data = doc.toJS() ?? {};
  const parsed = FileSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigFileError(
      parsed.error.issues.map((issue) => {
        const { offset, key } = locate(doc, issue.path, issue);
        // A bad record key (a cluster's name): zod nests the key's own issue.
        const nested = issue.code === "invalid_key" ? issue.issues[0]?.message : undefined;
        return `${where(offset)}: ${key}: ${nested ?? issue.message}`;
      }).join("\n"),
    );
  }
  const file = parsed.data;
  const defaultCluster = defaultClusterOf(file, (keys) => where(locate(doc, keys).offset));
  for (const [name, c] of Object.entries(file.clusters ?? {})) {
    const ways = (["simulator", "local", "ssh"] as const).filter((k) => c[k] !== undefined);
    if (ways.length !== 1) {
      throw new ConfigFileError(
        `${where(locate(doc, ["clusters", name]).offset)}: clusters.${name}: ` +
          "say how to reach it with exactly one of simulator: NAME, local: true, ssh: {host: ...}",
      );
    }
    if (c.default_queue !== undefined) {
      throw new ConfigFileError(
        `${where(locate(doc, ["clusters", name, "default_queue"]).offset)}: ` +
          `clusters.${name}.default_queue: not applied yet; name the queue in the script ` +
          "(#PBS -q) or in submit_job's queue parameter (PBS uses the server's default_queue)",
      );
    }
  }
  const settings = (cluster: ClusterShape | undefined) => {
    const env: Record<string, string> = {};
    for (const setting of FILE_SETTINGS) {
      const value = setting.from(file, cluster);
      if (value !== undefined) env[setting.env] = (setting.format ?? asText)(value);
    }
    return env;
  };
  const clusters = Object.entries(file.clusters ?? {}).map(([name, c]) => ({
    name,
    reach: reachOf(c),
    env: settings(c),
  }));
  const chosen = clusters.find((c) => c.name === defaultCluster);
  return { path, clusters, defaultCluster, env: chosen?.env ?? settings(undefined) };
}

function defaultClusterOf(
  file: FileShape,
  where: (path: PropertyKey[]) => string,
): string | undefined {
  const names = Object.keys(file.clusters ?? {});
  if (file.default_cluster !== undefined && !names.includes(file.default_cluster)) {
    throw new ConfigFileError(
      `${where(["default_cluster"])}: default_cluster: no cluster named ` +
        `'${file.default_cluster}' under clusters (${names.join(", ") || "none defined"})`,
    );
  }
  return file.default_cluster ?? names[0];
}

function reachOf(cluster: ClusterShape): ClusterReach {
  if (cluster.simulator !== undefined) return { kind: "simulator", scenario: cluster.simulator };
  if (cluster.ssh !== undefined) {
    return { kind: "ssh", ...cluster.ssh, options: cluster.ssh.options ?? [] };
  }
  return { kind: "local" };
}

/**
 * Where in the document an issue at `path` is: the node at the path, or the
 * nearest ancestor that exists (a missing key), or an unrecognized key itself.
 */
function locate(
  doc: ReturnType<typeof parseDocument>,
  path: readonly PropertyKey[],
  issue?: { code: string; keys?: string[] },
): { offset: number | undefined; key: string } {
  const keys = path.map((k) => (typeof k === "symbol" ? String(k) : k));
  if (issue?.code === "invalid_key" && keys.length > 0) {
    // The key itself, not its value.
    const parent = keys.length === 1 ? doc.contents : doc.getIn(keys.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === keys.at(-1));
      if (pair && isScalar(pair.key) && pair.key.range) {
        return { offset: pair.key.range[0], key: keys.join(".") };
      }
    }
  }
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    if (!node || typeof node !== "object" || !("range" in node) || !node.range) continue;
    if (n === keys.length && issue?.code === "unrecognized_keys" && isMap(node)) {
      const stray = issue.keys?.[0];
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === stray);
      if (pair && isScalar(pair.key) && pair.key.range) {
        return { offset: pair.key.range[0], key: [...keys, stray].join(".") };
      }
    }
    return { offset: node.range[0], key: keys.join(".") || "(top level)" };
  }
  return { offset: 0, key: keys.join(".") || "(top level)" };
}

function firstLine(message: string): string {
  return message.split("\n")[0];
}

/** What the environment and the file both set, and which value is used. */
export interface MergedSettings {
  env: Record<string, string>;
  /** One line for each variable both set (the environment's value is used). */
  warnings: string[];
}

/** The file's settings under the environment's: the environment wins for a single run. */
export function mergeSettings(
  environment: Record<string, string>,
  file: ConfigFile | undefined,
): MergedSettings {
  const warnings: string[] = [];
  const env = { ...(file?.env ?? {}) };
  for (const [name, value] of Object.entries(environment)) {
    if (file && name in file.env) {
      const key = FILE_SETTINGS.find((s) => s.env === name)!.key;
      warnings.push(
        `${name} is set in the environment and as ${key} in ${file.path}: ` +
          `the environment's value is used${file.env[name] === value ? " (they agree)" : ""}`,
      );
    }
    env[name] = value;
  }
  return { env, warnings };
}

/**
 * Reads the configuration file: `explicit` (must exist), else the default
 * path when a file is there. Undefined: no file. Throws ConfigFileError.
 */
export async function readConfigFile(
  explicit: string | undefined,
  home: string | undefined,
): Promise<ConfigFile | undefined> {
  const path = explicit ?? defaultConfigPath(home);
  if (!path) return undefined;
  let source: string;
  try {
    source = await Deno.readTextFile(path);
  } catch (error) {
    if (explicit === undefined && error instanceof Deno.errors.NotFound) return undefined;
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ? "not readable (grant --allow-read for it: `main.ts permissions --config FILE`)"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new ConfigFileError(`${path}: cannot read the configuration file: ${reason}`);
  }
  return parseConfigFile(path, source);
}

/** How a served cluster runs PBS commands: the simulator, this machine's PBS, or ssh. */
export type ClusterMode = "demo" | "real" | "ssh";

export function modeOf(reach: ClusterReach): ClusterMode {
  return reach.kind === "simulator" ? "demo" : reach.kind === "local" ? "real" : "ssh";
}

/** One cluster this process serves. */
export interface ServedCluster {
  name: string;
  reach: ClusterReach;
  mode: ClusterMode;
  /**
   * Its settings: the environment's over the file's. The environment's
   * cluster keys (CLUSTER_ENV_NAMES) reach the default cluster only.
   */
  env: Record<string, string>;
}

/** What this process serves, from the command line, the environment and the file. */
export interface Serving {
  /** Every served cluster, the default first: what each one reads and how it is reached. */
  clusters: ServedCluster[];
  /** Settings both sources gave (logged at start-up). */
  warnings: string[];
  file?: ConfigFile;
  /** The configuration file looked at (given or default), whether or not it exists. */
  configPath?: string;
}

/** The name of the one cluster served from the environment alone. */
export const ENVIRONMENT_CLUSTER = "default";

/**
 * Decides what is served and with which settings: `--demo` serves the
 * simulator, one cluster per `--scenario` name, instead of the clusters the
 * file defines (its global keys still apply; no cluster's own keys, which
 * name another machine's paths and PBS); else the file's clusters; without a file (or clusters in it),
 * this machine's PBS. `--user` and `--state` need a simulated cluster.
 * Throws an Error to report at start-up.
 */
export async function resolveServing(cli: CliOptions): Promise<Serving> {
  const home = readEnv(["HOME"]).HOME || undefined;
  const configPath = cli.config ?? defaultConfigPath(home);
  const file = await readConfigFile(cli.config, home);
  const fileClusters: ConfiguredCluster[] = cli.demo
    ? cli.scenarios.map((scenario) => ({
      name: scenario,
      reach: { kind: "simulator", scenario },
      env: globalSettings(file),
    }))
    : file && file.clusters.length > 0
    ? [
      ...file.clusters.filter((c) => c.name === file.defaultCluster),
      ...file.clusters.filter((c) => c.name !== file.defaultCluster),
    ]
    : [{ name: ENVIRONMENT_CLUSTER, reach: { kind: "local" }, env: file?.env ?? {} }];
  const simulated = fileClusters.some((c) => c.reach.kind === "simulator");
  if (!simulated && cli.user !== undefined) {
    throw new Error(
      "--user applies to simulated clusters only: real PBS acts as the OS user running the server",
    );
  }
  if (!simulated && cli.state !== undefined) {
    throw new Error(
      "--state applies to simulated clusters only: it keeps the simulated complex in a directory",
    );
  }
  const warnings: string[] = [];
  const clusters = fileClusters.map((c, i): ServedCluster => {
    const mode = modeOf(c.reach);
    const environment = readEnv(
      serverEnvNames(mode === "demo" ? "demo" : "real", cli.http !== undefined),
    );
    if (i > 0) {
      for (const name of CLUSTER_ENV_NAMES) delete environment[name];
    }
    const merged = mergeSettings(environment, file ? { ...file, env: c.env } : undefined);
    if (i === 0) warnings.push(...merged.warnings);
    return { name: c.name, reach: c.reach, mode, env: merged.env };
  });
  return { clusters, warnings, file, configPath };
}

/** The file's global settings alone (no cluster's own keys). */
function globalSettings(file: ConfigFile | undefined): Record<string, string> {
  if (!file) return {};
  return Object.fromEntries(
    Object.entries(file.env).filter(([name]) => !CLUSTER_ENV_NAMES.includes(name)),
  );
}
