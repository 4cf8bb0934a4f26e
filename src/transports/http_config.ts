/**
 * Settings of the HTTP transport that come from the environment. Read by
 * name (`get`), so the server needs `--allow-env` for these variables only.
 */
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

const HttpEnvSchema = z.object({
  PBS_MCP_HTTP_TOKENS_FILE: z.string().min(1).optional(),
  PBS_MCP_HTTP_TOKEN: z.string().min(1).optional(),
  PBS_MCP_HTTP_MAX_BODY_BYTES: positiveInt.default(8 * 1024 * 1024),
  PBS_MCP_HTTP_RATE_LIMIT: positiveInt.default(300),
  PBS_MCP_HTTP_SESSION_IDLE_S: positiveInt.default(30 * 60),
  PBS_MCP_HTTP_MAX_SESSIONS: positiveInt.default(32),
  PBS_MCP_HTTP_ALLOWED_HOSTS: z.string().optional(),
});

export interface HttpLimits {
  /** Largest request body accepted (413 above). */
  maxBodyBytes: number;
  /** Requests per minute per token (429 with Retry-After above). */
  ratePerMinute: number;
  /** A 2025-era session unused this long is closed. */
  sessionIdleMs: number;
  /** Open sessions at once; a new one closes the least recently used. */
  maxSessions: number;
}

export interface HttpEnv {
  tokensFile?: string;
  token?: string;
  limits: HttpLimits;
  /** Host names accepted in Host and Origin besides the loopback names. */
  extraHosts: string[];
}

export const HTTP_ENV_NAMES = Object.keys(HttpEnvSchema.shape) as Array<
  keyof typeof HttpEnvSchema.shape
>;

/** Reads the HTTP settings; throws an Error naming every invalid variable. */
export function loadHttpEnv(get: (name: string) => string | undefined): HttpEnv {
  const raw = Object.fromEntries(HTTP_ENV_NAMES.map((name) => [name, get(name)]));
  const parsed = HttpEnvSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid HTTP configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    tokensFile: e.PBS_MCP_HTTP_TOKENS_FILE,
    token: e.PBS_MCP_HTTP_TOKEN,
    limits: {
      maxBodyBytes: e.PBS_MCP_HTTP_MAX_BODY_BYTES,
      ratePerMinute: e.PBS_MCP_HTTP_RATE_LIMIT,
      sessionIdleMs: e.PBS_MCP_HTTP_SESSION_IDLE_S * 1000,
      maxSessions: e.PBS_MCP_HTTP_MAX_SESSIONS,
    },
    extraHosts: (e.PBS_MCP_HTTP_ALLOWED_HOSTS ?? "").split(",").map((h) => h.trim().toLowerCase())
      .filter((h) => h.length > 0),
  };
}

/** The variables above, for the README. */
export const HTTP_CONFIG_VARIABLES: Array<[string, string]> = [
  ["PBS_MCP_HTTP_TOKENS_FILE", "File of `name:token` lines (mode 0600); the name is the caller."],
  ["PBS_MCP_HTTP_TOKEN", "A single token (caller name `default`)."],
  ["PBS_MCP_HTTP_MAX_BODY_BYTES", "Largest request body (default 8 MiB)."],
  ["PBS_MCP_HTTP_RATE_LIMIT", "Requests per minute per token (default 300)."],
  ["PBS_MCP_HTTP_SESSION_IDLE_S", "Idle seconds before a session is closed (default 1800)."],
  [
    "PBS_MCP_HTTP_MAX_SESSIONS",
    "Open sessions at once (default 32); a new one closes the least recently used.",
  ],
  ["PBS_MCP_HTTP_ALLOWED_HOSTS", "Comma-separated host names accepted besides loopback."],
];
