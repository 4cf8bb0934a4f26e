/**
 * Static bearer tokens for the HTTP transport: where they come from and how a
 * request's `Authorization` header is checked against them.
 *
 * The caller's identity below the transport is the token's name: it reaches
 * every tool handler as `ctx.http.authInfo.clientId` (the SDK's
 * ServerContext, `ToolExtra` in src/mcp/tool_kit.ts); see `authInfoFor`.
 * On stdio `ctx.http` is absent.
 */
import type { AuthInfo } from "@modelcontextprotocol/server";
import { createHash, timingSafeEqual } from "node:crypto";

export interface HttpToken {
  /** Who holds it: logged, and passed to tools as the caller. */
  name: string;
  token: string;
}

/** Tokens shorter than this are refused: they could be guessed. */
export const MIN_TOKEN_LENGTH = 16;

/** The name given to `PBS_MCP_HTTP_TOKEN`. */
export const SINGLE_TOKEN_NAME = "default";

const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

/** Thrown when the tokens cannot be loaded: the server must not start. */
export class TokenSetupError extends Error {}

/** Parses `name:token` lines; blank lines and lines starting with `#` are skipped. */
export function parseTokensFile(text: string, source: string): HttpToken[] {
  const tokens: HttpToken[] = [];
  text.split("\n").forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    const where = `${source} line ${index + 1}`;
    if (colon < 0) throw new TokenSetupError(`${where}: expected name:token`);
    const name = line.slice(0, colon).trim();
    const token = line.slice(colon + 1).trim();
    if (!NAME.test(name)) {
      throw new TokenSetupError(
        `${where}: token name must be 1-64 letters, digits or . _ @ - (got "${name}")`,
      );
    }
    tokens.push({ name, token });
  });
  return tokens;
}

/** Checks lengths and uniqueness; throws TokenSetupError naming the problem. */
export function checkTokens(tokens: HttpToken[]): HttpToken[] {
  if (tokens.length === 0) {
    throw new TokenSetupError(
      "HTTP mode needs at least one bearer token: set PBS_MCP_HTTP_TOKENS_FILE (lines name:token) " +
        "or PBS_MCP_HTTP_TOKEN; e.g. `openssl rand -hex 32`",
    );
  }
  const names = new Set<string>();
  const values = new Set<string>();
  for (const { name, token } of tokens) {
    if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
      throw new TokenSetupError(
        `token "${name}" must be at least ${MIN_TOKEN_LENGTH} characters without spaces; ` +
          "e.g. `openssl rand -hex 32`",
      );
    }
    if (names.has(name)) throw new TokenSetupError(`token name "${name}" appears twice`);
    if (values.has(token)) throw new TokenSetupError(`token "${name}" repeats another token`);
    names.add(name);
    values.add(token);
  }
  return tokens;
}

/**
 * Loads the tokens from a file (which must not be readable by group or
 * others, as ssh demands of private keys) and/or a single token.
 */
export async function loadTokens(source: { file?: string; token?: string }): Promise<HttpToken[]> {
  const tokens: HttpToken[] = [];
  if (source.file !== undefined) {
    let info: Deno.FileInfo;
    let text: string;
    try {
      info = await Deno.stat(source.file);
      text = await Deno.readTextFile(source.file);
    } catch (error) {
      throw new TokenSetupError(
        `cannot read PBS_MCP_HTTP_TOKENS_FILE ${source.file}: ${(error as Error).message}`,
      );
    }
    if (!info.isFile) throw new TokenSetupError(`${source.file} is not a regular file`);
    if (info.mode !== null && (info.mode & 0o077) !== 0) {
      throw new TokenSetupError(
        `${source.file} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); ` +
          `run: chmod 600 ${source.file}`,
      );
    }
    tokens.push(...parseTokensFile(text, source.file));
  }
  if (source.token !== undefined) tokens.push({ name: SINGLE_TOKEN_NAME, token: source.token });
  return checkTokens(tokens);
}

function digest(value: string): Uint8Array {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * Matches `Authorization: Bearer <token>` against the known tokens in
 * constant time: both sides are hashed to equal-length digests, compared with
 * timingSafeEqual, and every token is compared whatever matched earlier.
 */
export class TokenVerifier {
  readonly #known: Array<{ name: string; digest: Uint8Array }>;

  constructor(tokens: HttpToken[]) {
    this.#known = checkTokens(tokens).map(({ name, token }) => ({ name, digest: digest(token) }));
  }

  /** The token's name, or undefined when the header is missing or wrong. */
  verify(authorization: string | null): string | undefined {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
    const presented = digest(match?.[1] ?? "");
    let found: string | undefined;
    for (const { name, digest: known } of this.#known) {
      if (timingSafeEqual(presented, known) && match) found ??= name;
    }
    return found;
  }
}

/**
 * What the MCP layer sees of an authenticated request. The secret itself is
 * not passed down: no tool needs it, and it must never reach a log.
 */
export function authInfoFor(tokenName: string): AuthInfo {
  return { token: "(static bearer token)", clientId: tokenName, scopes: [] };
}
