/**
 * Resource subscriptions (protocol 2025-11-25): a client sends
 * `resources/subscribe` for `pbs://job/{job_id}` and receives
 * `notifications/resources/updated` for that URI whenever the job changes
 * state, and once more when PBS no longer lists it. The watching is
 * service/job_watch.ts; this adapter maps URIs to job ids, errors to
 * JSON-RPC errors, and ties the watch to the connection: it ends with the
 * server (transport closed, HTTP session expired or deleted).
 *
 * The 2026-07-28 generation replaces `resources/subscribe` with
 * `subscriptions/listen`: a long-lived stream opened with the URIs to
 * follow, served by the SDK's entries rather than by the server instance.
 * ListenWatch follows those URIs with the same job watch; the transports
 * tell it when a stream opens and ends (tapListens for stdio, followListen
 * for HTTP), and the updates go out through the instance (stdio) or the
 * handler's event bus (HTTP), which deliver them to the streams that asked.
 */
import type {
  JSONRPCMessage,
  McpServer,
  MessageExtraInfo,
  Transport,
} from "@modelcontextprotocol/server";
import { invalidInput } from "../pbs/errors.ts";
import * as v from "../pbs/validate.ts";
import { JobWatch, type Ticker } from "../service/job_watch.ts";
import type { Cluster, ClusterSet } from "../service/cluster_set.ts";
import type { Logger } from "./logger.ts";
import { toProtocolError } from "./resources.ts";

/** `pbs://job/{job_id}`, with `?cluster=NAME` for another than the default cluster. */
const JOB_URI = /^pbs:\/\/job\/([^/?#]+)(?:\?cluster=([^&#]+))?$/;

/**
 * The job, and the cluster, a subscribable URI names; only
 * `pbs://job/{job_id}[?cluster=NAME]` can be subscribed to.
 */
export function subscribedJob(
  uri: string,
  clusters: ClusterSet,
): { jobId: string; cluster: Cluster } {
  const match = JOB_URI.exec(uri);
  if (match === null) {
    throw invalidInput(
      `cannot subscribe to ${uri.slice(0, 200)}`,
      "Only job resources can be subscribed to: pbs://job/{job_id}" +
        (clusters.several ? ", with ?cluster=NAME for another cluster." : "."),
    );
  }
  let id: string;
  let name: string | undefined;
  try {
    id = decodeURIComponent(match[1]);
    name = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
  } catch {
    throw invalidInput(`${uri.slice(0, 200)} is not a valid URI`, "Use pbs://job/{job_id}.");
  }
  return { jobId: v.validateJobId(id), cluster: clusters.pick(name) };
}

export interface SubscriptionOptions {
  /** The watch's clock (tests); the real timer by default. */
  ticker?: Ticker;
}

/** A job watch on one cluster that tells `publish` the subscribed URI of each job that changed. */
function jobWatch(
  cluster: Cluster,
  logger: Logger,
  publish: (uri: string) => Promise<void> | void,
  options: SubscriptionOptions,
): JobWatch {
  const { client } = cluster;
  return new JobWatch({
    lookup: async (id) => {
      const job = await client.job(id);
      return { id: job.id, user: job.user, state: job.state };
    },
    readTable: (user) => client.listJobRows({ user, includeFinished: true }),
    onChange: (change) => {
      logger.debug("subscribed job changed", { ...change });
      Promise.resolve(publish(change.key)).catch((error) =>
        logger.debug("resource update not sent", { uri: change.key, error: String(error) })
      );
    },
    onError: (user, error) =>
      logger.warn("job watch: table read failed", {
        user,
        cluster: cluster.name,
        error: String(error).slice(0, 300),
      }),
    intervalMs: client.config.watchIntervalS * 1000,
    ticker: options.ticker,
  });
}

/**
 * The subscribed URIs of every cluster: one job watch per cluster (its own
 * table read per poll), made when a URI first names it.
 */
export class ClusterWatches {
  readonly #clusters: ClusterSet;
  readonly #make: (cluster: Cluster) => JobWatch;
  readonly #watches = new Map<string, JobWatch>();
  /** Which cluster's watch follows each URI. */
  readonly #watchOf = new Map<string, JobWatch>();

  constructor(
    clusters: ClusterSet,
    logger: Logger,
    publish: (uri: string) => Promise<void> | void,
    options: SubscriptionOptions,
  ) {
    this.#clusters = clusters;
    this.#make = (cluster) => jobWatch(cluster, logger, publish, options);
  }

  /** Whether any cluster's background poll is armed. */
  get polling(): boolean {
    return [...this.#watches.values()].some((w) => w.polling);
  }

  /** Starts following `uri` (throws for a URI that names no job, or an unknown job or cluster). */
  async watch(uri: string): Promise<void> {
    const { jobId, cluster } = subscribedJob(uri, this.#clusters);
    let watch = this.#watches.get(cluster.name);
    if (!watch) {
      watch = this.#make(cluster);
      this.#watches.set(cluster.name, watch);
    }
    // Kept only once followed: a URI whose job cannot be read leaves nothing behind,
    // and those of jobs the watches have forgotten (gone from PBS) are dropped here.
    await watch.watch(uri, jobId);
    for (const [known, owner] of this.#watchOf) {
      if (!owner.has(known)) this.#watchOf.delete(known);
    }
    this.#watchOf.set(uri, watch);
  }

  unwatch(uri: string): void {
    this.#watchOf.get(uri)?.unwatch(uri);
    this.#watchOf.delete(uri);
  }

  stop(): void {
    for (const watch of this.#watches.values()) watch.stop();
    this.#watchOf.clear();
  }
}

/** 2025-11-25: `resources/subscribe` and `resources/unsubscribe` on this server instance. */
export function registerSubscriptions(
  server: McpServer,
  clusters: ClusterSet,
  logger: Logger,
  options: SubscriptionOptions = {},
): ClusterWatches {
  const protocol = server.server;
  protocol.registerCapabilities({ resources: { subscribe: true } });
  const publish = (uri: string) => protocol.sendResourceUpdated({ uri });
  const watch = new ClusterWatches(clusters, logger, publish, options);
  protocol.setRequestHandler("resources/subscribe", async (request) => {
    try {
      await watch.watch(request.params.uri);
    } catch (error) {
      throw toProtocolError(error);
    }
    return {};
  });
  protocol.setRequestHandler("resources/unsubscribe", (request) => {
    watch.unwatch(request.params.uri);
    return {};
  });
  const previous = protocol.onclose;
  protocol.onclose = () => {
    watch.stop();
    previous?.();
  };
  return watch;
}

// ---------------------------------------------------------------------------
// 2026-07-28: subscriptions/listen

/**
 * The jobs named by open `subscriptions/listen` streams. The SDK's entries
 * serve those streams themselves (the server instance never sees them), so
 * the transport reports each stream here: `open` with the URIs the server
 * acknowledged, and the returned function when the stream ends. A URI
 * followed by several streams is watched once.
 */
export class ListenWatch {
  readonly #watch: ClusterWatches;
  readonly #clusters: ClusterSet;
  readonly #logger: Logger;
  readonly #publish: (uri: string) => Promise<void> | void;
  readonly #streams = new Map<string | number, () => void>();
  readonly #refs = new Map<string, number>();
  #stopped = false;

  constructor(
    clusters: ClusterSet,
    logger: Logger,
    publish: (uri: string) => Promise<void> | void,
    options: SubscriptionOptions = {},
  ) {
    this.#logger = logger;
    this.#publish = publish;
    this.#clusters = clusters;
    this.#watch = new ClusterWatches(clusters, logger, publish, options);
  }

  /** Whether the background poll is armed. */
  get polling(): boolean {
    return this.#watch.polling;
  }

  /**
   * Starts following `uris`. Those naming no job resource are skipped; a job
   * PBS does not know is reported updated once, right away. Returns the
   * function that ends this stream's interest.
   */
  open(uris: readonly string[]): () => void {
    const mine: string[] = [];
    let ended = false;
    for (const uri of new Set(uris)) {
      try {
        subscribedJob(uri, this.#clusters);
      } catch {
        continue;
      }
      if (this.#stopped) break;
      mine.push(uri);
      const refs = (this.#refs.get(uri) ?? 0) + 1;
      this.#refs.set(uri, refs);
      if (refs > 1) continue;
      this.#watch.watch(uri).then(() => {
        // The stream ended while the job was being read: drop it again.
        if (!this.#refs.has(uri)) this.#watch.unwatch(uri);
      }).catch((error) => {
        // No such job (or it cannot be read): the stream is told at once, and
        // reading the URI gives PBS's answer, instead of waiting in silence.
        this.#logger.debug("listen: job not watched", { uri, error: String(error) });
        if (!this.#refs.has(uri)) return;
        this.#refs.delete(uri);
        Promise.resolve(this.#publish(uri)).catch(() => {});
      });
    }
    return () => {
      if (ended) return;
      ended = true;
      for (const uri of mine) {
        const refs = (this.#refs.get(uri) ?? 1) - 1;
        if (refs > 0) {
          this.#refs.set(uri, refs);
          continue;
        }
        this.#refs.delete(uri);
        this.#watch.unwatch(uri);
      }
    };
  }

  /** A stream identified by its subscription id (stdio: the listen request's id). */
  acknowledged(subscriptionId: string | number, uris: readonly string[]): void {
    if (this.#streams.has(subscriptionId)) return;
    this.#streams.set(subscriptionId, this.open(uris));
  }

  cancelled(subscriptionId: string | number): void {
    this.#streams.get(subscriptionId)?.();
    this.#streams.delete(subscriptionId);
  }

  stop(): void {
    this.#stopped = true;
    this.#streams.clear();
    this.#refs.clear();
    this.#watch.stop();
  }
}

const SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

type Message = { method?: unknown; params?: Record<string, unknown> } & Record<string, unknown>;

/**
 * Lets `listens` see the listen streams of one connection (stdio, or the
 * in-memory pair of the tests): the server's acknowledgement names the
 * subscription and the URIs it honours; the client's
 * `notifications/cancelled` for that id, or the transport closing, ends it.
 */
export function tapListens<T extends Transport>(transport: T, listens: ListenWatch): T {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    const m = message as Message;
    if (m.method === "notifications/subscriptions/acknowledged") {
      const params = m.params ?? {};
      const id = (params._meta as Record<string, unknown> | undefined)?.[SUBSCRIPTION_ID];
      const honoured = (params.notifications as { resourceSubscriptions?: unknown })
        ?.resourceSubscriptions;
      if ((typeof id === "string" || typeof id === "number") && Array.isArray(honoured)) {
        listens.acknowledged(id, honoured.filter((uri) => typeof uri === "string"));
      }
    }
    return send(message, options);
  };
  let onmessage = transport.onmessage;
  let onclose = transport.onclose;
  Object.defineProperty(transport, "onmessage", {
    configurable: true,
    get: () => (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
      const m = message as Message;
      if (m.method === "notifications/cancelled") {
        const id = m.params?.requestId;
        if (typeof id === "string" || typeof id === "number") listens.cancelled(id);
      }
      onmessage?.(message, extra);
    },
    set: (handler) => (onmessage = handler),
  });
  Object.defineProperty(transport, "onclose", {
    configurable: true,
    get: () => () => {
      listens.stop();
      onclose?.();
    },
    set: (handler) => (onclose = handler),
  });
  return transport;
}

/**
 * The HTTP leg of a `subscriptions/listen` request: while the SSE stream the
 * SDK answered with is open, its URIs are watched; the stream ending (the
 * client leaving, the server closing it) ends the watch.
 */
export function followListen(
  parsedBody: unknown,
  response: Response,
  listens: ListenWatch,
): Response {
  const m = parsedBody as Message | undefined;
  if (
    m?.method !== "subscriptions/listen" || response.body === null ||
    !(response.headers.get("content-type") ?? "").startsWith("text/event-stream")
  ) {
    return response;
  }
  const uris = (m.params?.notifications as { resourceSubscriptions?: unknown } | undefined)
    ?.resourceSubscriptions;
  if (!Array.isArray(uris)) return response;
  const end = listens.open(uris.filter((uri) => typeof uri === "string"));
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          end();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}
