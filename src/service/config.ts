/**
 * Configuration from the environment. Every knob is documented in the README;
 * invalid values are reported at start-up rather than discovered mid-session.
 */
import { z } from "zod";

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
});

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
}

/**
 * Reads the configuration; throws an Error naming every invalid variable.
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
    "PBS_MCP_LOG_LEVEL",
    "debug, info, warn or error (default info); logs go to stderr as JSON lines.",
  ],
];
