/**
 * Configuration from the environment. Every knob is documented in the README;
 * invalid values are reported at start-up rather than discovered mid-session.
 */
import { z } from "zod";
import { parseDuration } from "../pbs/model/time.ts";
import { defaultAuditPath } from "./audit.ts";
import { CONFIRM_MODES, type ConfirmMode } from "./confirm.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";

const positiveInt = z.coerce.number().int().positive();
const flag = z.enum(["1", "0", "true", "false", "yes", "no"]).transform((v) =>
  ["1", "true", "yes"].includes(v)
);

const EnvSchema = z.object({
  PBS_SERVER: z.string().min(1).optional(),
  PBS_ACCOUNT: z.string().min(1).optional(),
  PBS_MCP_TIMEOUT_MS: positiveInt.default(30_000),
  PBS_MCP_CACHE_TTL_MS: z.coerce.number().int().min(0).default(3_000),
  PBS_MCP_MAX_OUTPUT_BYTES: positiveInt.default(64 * 1024 * 1024),
  PBS_MCP_READ_ONLY: flag.default(false),
  PBS_MCP_ALLOWED_DIRS: z.string().optional(),
  PBS_MCP_SUBMIT_DIR: z.preprocess(
    (v) => v === "" ? undefined : v,
    z.string().startsWith("/", "must be an absolute path").optional(),
  ),
  PBS_MCP_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  PBS_MCP_AUDIT_LOG: z.string().min(1).optional(),
  PBS_MCP_CONFIRM: z.enum(CONFIRM_MODES).default("elicit"),
  PBS_MCP_MAX_CONCURRENT_COMMANDS: positiveInt.default(DEFAULT_LIMITS.maxConcurrentCommands),
  PBS_MCP_MAX_BATCH_JOBS: positiveInt.default(DEFAULT_LIMITS.maxBatchJobs),
  PBS_MCP_MAX_SUBMITS_PER_MINUTE: positiveInt.default(DEFAULT_LIMITS.maxSubmitsPerMinute),
  PBS_MCP_MAX_NODES: positiveInt.optional(),
  PBS_MCP_MAX_WALLTIME: z.string().optional().transform((text, ctx) => {
    if (text === undefined) return undefined;
    const seconds = parseDuration(text);
    if (seconds === undefined) {
      ctx.addIssue({ code: "custom", message: "must be a duration such as 12:00:00" });
      return z.NEVER;
    }
    return seconds;
  }),
  PBS_MCP_TOOLSETS: z.string().optional(),
  PBS_MCP_EXCLUDE_TOOLS: z.string().optional(),
});

/**
 * The variables loadConfig reads. main.ts reads exactly these (by name, see
 * src/env.ts) and passes them in; src/permissions.ts grants them.
 */
export const CONFIG_ENV_NAMES = Object.keys(EnvSchema.shape) as ReadonlyArray<
  keyof typeof EnvSchema.shape
>;

const list = (text: string | undefined) =>
  text === undefined ? undefined : text.split(",").map((s) => s.trim()).filter((s) => s !== "");

export interface Config {
  /** Passed through to PBS clients, which read it themselves. */
  pbsServer?: string;
  /** Account charged when `submit_job` names none (`qsub -A`). */
  defaultAccount?: string;
  /** Per-command timeout: PBS clients hang forever on a stopped server. */
  timeoutMs: number;
  /** How long identical reads are served from memory. 0 disables caching. */
  cacheTtlMs: number;
  maxOutputBytes: number;
  /** Only query tools are offered. */
  readOnly: boolean;
  /** Directories whose files `get_job_output` and `submit_job.script_path` may read. */
  allowedDirs: string[];
  /**
   * Where qsub runs. PBS writes a job's output files to the directory qsub ran
   * in (PBS_O_WORKDIR), so this keeps them somewhere defined, by default the
   * home directory that is also the default of allowedDirs, rather than
   * wherever the client happened to start the server (a GUI client may use `/`).
   */
  submitDir?: string;
  logLevel: "debug" | "info" | "warn" | "error";
  /** Where state-changing calls are logged; absent = every change is refused. */
  auditLog?: string;
  /** When destructive actions ask the human first (service/confirm.ts). */
  confirm: ConfirmMode;
  limits: Limits;
  /** Toolsets to offer (absent = all); names are checked by the MCP layer. */
  toolsets?: string[];
  /** Tools never offered. */
  excludeTools: string[];
}

/**
 * Reads the configuration from `env` (the CONFIG_ENV_NAMES variables that are
 * set; others are ignored); throws an Error naming every invalid variable.
 * `home` is the caller's home directory: the default of allowedDirs and submitDir.
 */
export function loadConfig(env: Record<string, string | undefined>, home?: string): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  const dirs = e.PBS_MCP_ALLOWED_DIRS
    ? e.PBS_MCP_ALLOWED_DIRS.split(":").filter((d) => d.length > 0)
    : home
    ? [home]
    : [];
  return {
    pbsServer: e.PBS_SERVER,
    defaultAccount: e.PBS_ACCOUNT,
    timeoutMs: e.PBS_MCP_TIMEOUT_MS,
    cacheTtlMs: e.PBS_MCP_CACHE_TTL_MS,
    maxOutputBytes: e.PBS_MCP_MAX_OUTPUT_BYTES,
    readOnly: e.PBS_MCP_READ_ONLY,
    allowedDirs: dirs,
    submitDir: e.PBS_MCP_SUBMIT_DIR ?? home,
    logLevel: e.PBS_MCP_LOG_LEVEL,
    auditLog: e.PBS_MCP_AUDIT_LOG ?? defaultAuditPath(home),
    confirm: e.PBS_MCP_CONFIRM,
    limits: {
      maxConcurrentCommands: e.PBS_MCP_MAX_CONCURRENT_COMMANDS,
      maxBatchJobs: e.PBS_MCP_MAX_BATCH_JOBS,
      maxSubmitsPerMinute: e.PBS_MCP_MAX_SUBMITS_PER_MINUTE,
      ...(e.PBS_MCP_MAX_NODES !== undefined ? { maxNodesPerJob: e.PBS_MCP_MAX_NODES } : {}),
      ...(e.PBS_MCP_MAX_WALLTIME !== undefined
        ? { maxWalltimeSeconds: e.PBS_MCP_MAX_WALLTIME }
        : {}),
    },
    toolsets: list(e.PBS_MCP_TOOLSETS),
    excludeTools: list(e.PBS_MCP_EXCLUDE_TOOLS) ?? [],
  };
}

/** The environment variables this server reads, for the README and `--help`. */
export const CONFIG_VARIABLES: Array<[string, string]> = [
  ["PBS_SERVER", "PBS server to talk to (passed through to PBS's own commands)."],
  ["PBS_ACCOUNT", "Default account (`qsub -A`) when a submission names none."],
  [
    "PBS_EXEC",
    "PBS installation prefix, searched first (bin/, sbin/); then PATH; then pbs.conf's PBS_EXEC.",
  ],
  ["PBS_CONF_FILE", "pbs.conf consulted last for PBS_EXEC (default /etc/pbs.conf)."],
  ["PBS_MCP_TIMEOUT_MS", "Timeout for each PBS command in ms (default 30000)."],
  [
    "PBS_MCP_CACHE_TTL_MS",
    "How long identical reads are served from memory (default 3000; 0 = off).",
  ],
  ["PBS_MCP_MAX_OUTPUT_BYTES", "Cap on the output kept from one PBS command (default 64 MiB)."],
  ["PBS_MCP_READ_ONLY", "`true` offers only query tools (no submit, delete, hold, ...)."],
  [
    "PBS_MCP_ALLOWED_DIRS",
    "Colon-separated directories job output and scripts may be read from (default: $HOME).",
  ],
  [
    "PBS_MCP_SUBMIT_DIR",
    "Absolute directory qsub runs in; PBS writes job output there by default (default: $HOME).",
  ],
  [
    "PBS_MCP_AUDIT_LOG",
    "File each state-changing call is logged to, one JSON line each (default " +
    "$HOME/.local/state/pbs-mcp/audit.jsonl). If it cannot be written, changes are refused.",
  ],
  [
    "PBS_MCP_CONFIRM",
    "never, elicit (default) or require: when destructive actions ask the user first " +
    "(same as --confirm).",
  ],
  ["PBS_MCP_MAX_CONCURRENT_COMMANDS", "PBS commands run at once; the rest wait (default 4)."],
  ["PBS_MCP_MAX_BATCH_JOBS", "Jobs one batch or dependent submission may hold (default 100)."],
  ["PBS_MCP_MAX_SUBMITS_PER_MINUTE", "Jobs submitted in any 60 seconds (default 120)."],
  ["PBS_MCP_MAX_NODES", "Nodes one job may request (default: PBS's limits only)."],
  ["PBS_MCP_MAX_WALLTIME", "Walltime one job may request, HH:MM:SS (default: PBS's limits only)."],
  [
    "PBS_MCP_TOOLSETS",
    "Comma-separated toolsets to offer: jobs, cluster, reservations, scripts (default all; " +
    "same as --toolsets).",
  ],
  ["PBS_MCP_EXCLUDE_TOOLS", "Comma-separated tools never offered (same as --exclude-tools)."],
  [
    "PBS_MCP_LOG_LEVEL",
    "debug, info, warn or error (default info); logs go to stderr as JSON lines.",
  ],
];
