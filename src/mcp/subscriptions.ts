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
 * `subscriptions/listen`, which this server does not serve yet: a server
 * built for that era declares no `resources.subscribe` capability, so the
 * SDK acknowledges a listen request without the resource URIs instead of
 * accepting them and staying silent.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { invalidInput } from "../pbs/errors.ts";
import * as v from "../pbs/validate.ts";
import { JobWatch, type Ticker } from "../service/job_watch.ts";
import type { PbsClient } from "../service/pbs_client.ts";
import type { Logger } from "./logger.ts";
import { toProtocolError } from "./resources.ts";

const JOB_URI = /^pbs:\/\/job\/([^/?#]+)$/;

/** The job id a subscribable URI names; only `pbs://job/{job_id}` can be subscribed to. */
export function subscribedJobId(uri: string): string {
  const match = JOB_URI.exec(uri);
  if (match === null) {
    throw invalidInput(
      `cannot subscribe to ${uri.slice(0, 200)}`,
      "Only job resources can be subscribed to: pbs://job/{job_id}.",
    );
  }
  let id: string;
  try {
    id = decodeURIComponent(match[1]);
  } catch {
    throw invalidInput(`${uri.slice(0, 200)} is not a valid URI`, "Use pbs://job/{job_id}.");
  }
  return v.validateJobId(id);
}

export interface SubscriptionOptions {
  /** The watch's clock (tests); the real timer by default. */
  ticker?: Ticker;
}

export function registerSubscriptions(
  server: McpServer,
  client: PbsClient,
  logger: Logger,
  options: SubscriptionOptions = {},
): JobWatch {
  const protocol = server.server;
  protocol.registerCapabilities({ resources: { subscribe: true } });
  const watch = new JobWatch({
    lookup: async (id) => {
      const job = await client.job(id);
      return { id: job.id, user: job.user, state: job.state };
    },
    readTable: (user) => client.listJobRows({ user, includeFinished: true }),
    onChange: (change) => {
      logger.debug("subscribed job changed", { ...change });
      protocol.sendResourceUpdated({ uri: change.key }).catch((error) =>
        logger.debug("resource update not sent", { uri: change.key, error: String(error) })
      );
    },
    onError: (user, error) =>
      logger.warn("job watch: table read failed", { user, error: String(error).slice(0, 300) }),
    intervalMs: client.config.watchIntervalS * 1000,
    ticker: options.ticker,
  });
  protocol.setRequestHandler("resources/subscribe", async (request) => {
    try {
      await watch.watch(request.params.uri, subscribedJobId(request.params.uri));
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
