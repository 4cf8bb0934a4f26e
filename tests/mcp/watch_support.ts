/**
 * What subscription tests share: a job watch's ticker the test drives, and
 * the URIs of the `notifications/resources/updated` a client receives.
 */
import type { Client } from "@modelcontextprotocol/client";
import type { Ticker } from "../../src/service/job_watch.ts";

/** A Ticker the test drives: `tick()` runs one poll of every armed watch. */
export class ManualTicker implements Ticker {
  readonly #ticks = new Set<() => Promise<void>>();
  intervals: number[] = [];

  start(intervalMs: number, tick: () => Promise<void>): () => void {
    this.intervals.push(intervalMs);
    this.#ticks.add(tick);
    return () => this.#ticks.delete(tick);
  }

  get armed(): number {
    return this.#ticks.size;
  }

  async tick(): Promise<void> {
    for (const tick of [...this.#ticks]) await tick();
  }
}

/** Collects the URIs of `notifications/resources/updated` the client receives. */
export function updates(client: Client): string[] {
  const received: string[] = [];
  client.setNotificationHandler("notifications/resources/updated", (notification) => {
    received.push(notification.params.uri);
  });
  return received;
}
