/**
 * The 2025-era Streamable HTTP sessions: one McpServer and transport per
 * session, owned by the token that opened it, closed after an idle period.
 */
import type {
  McpServer,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { Logger } from "../mcp/logger.ts";

export interface Session {
  id: string;
  /** Name of the token that opened it; other tokens cannot use it. */
  owner: string;
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
  lastSeen: number;
}

export class SessionTable {
  readonly #sessions = new Map<string, Session>();
  readonly #sweeper: ReturnType<typeof setInterval>;

  constructor(
    readonly idleMs: number,
    readonly logger: Logger,
    readonly now: () => number = Date.now,
  ) {
    this.#sweeper = setInterval(() => this.sweep(), Math.min(idleMs / 2, 60_000));
  }

  get size(): number {
    return this.#sessions.size;
  }

  add(session: Session): void {
    this.#sessions.set(session.id, session);
  }

  /** The live session with this id opened by `owner`, its idle clock reset. */
  use(id: string, owner: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined || session.owner !== owner) return undefined;
    if (this.now() - session.lastSeen > this.idleMs) {
      this.close(id, "idle");
      return undefined;
    }
    session.lastSeen = this.now();
    return session;
  }

  /** Forgets the session and closes its server (idempotent). */
  close(id: string, why: string): void {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    this.logger.info("HTTP session closed", { session: id, caller: session.owner, why });
    session.server.close().catch(() => {});
  }

  /** Closes the least recently used session (to make room for a new one). */
  evictOldest(): void {
    let oldest: Session | undefined;
    for (const session of this.#sessions.values()) {
      if (oldest === undefined || session.lastSeen < oldest.lastSeen) oldest = session;
    }
    if (oldest !== undefined) this.close(oldest.id, "least recently used, room for a new session");
  }

  /** Closes every session idle for longer than the limit. */
  sweep(): void {
    const now = this.now();
    for (const session of [...this.#sessions.values()]) {
      if (now - session.lastSeen > this.idleMs) this.close(session.id, "idle");
    }
  }

  closeAll(why: string): void {
    clearInterval(this.#sweeper);
    for (const id of [...this.#sessions.keys()]) this.close(id, why);
  }
}
