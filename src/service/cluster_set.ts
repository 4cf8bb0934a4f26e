/**
 * The clusters one server serves: a PbsClient for each, by name, and the
 * default one a call that names no cluster goes to. With one cluster nothing
 * above this module needs to know there could be more.
 */
import { invalidInput } from "../pbs/errors.ts";
import type { PbsClient } from "./pbs_client.ts";

export interface Cluster {
  name: string;
  client: PbsClient;
  /** How it is reached, for people: `simulated "polaris" complex`, `ssh aurora.example.org`. */
  reach: string;
}

/** Longest cluster name accepted from a caller (names come from the configuration). */
const MAX_NAME = 64;

export class ClusterSet {
  readonly #byName = new Map<string, Cluster>();
  readonly default: Cluster;

  /** `clusters` in the order they are shown; the first is the default. */
  constructor(clusters: readonly Cluster[]) {
    if (clusters.length === 0) throw new Error("a ClusterSet needs at least one cluster");
    for (const cluster of clusters) {
      if (this.#byName.has(cluster.name)) throw new Error(`two clusters named ${cluster.name}`);
      this.#byName.set(cluster.name, cluster);
    }
    this.default = clusters[0];
  }

  /** One cluster, named `name` (the set then serves it alone). */
  static of(client: PbsClient, name = "default", reach = "this server's PBS"): ClusterSet {
    return new ClusterSet([{ name, client, reach }]);
  }

  get all(): Cluster[] {
    return [...this.#byName.values()];
  }

  get names(): string[] {
    return [...this.#byName.keys()];
  }

  /** More than one: tools then take `cluster` and answers name theirs. */
  get several(): boolean {
    return this.#byName.size > 1;
  }

  /** The cluster called `name`, or the default when none is given; unknown names are refused. */
  pick(name: string | undefined): Cluster {
    if (name === undefined || name === "") return this.default;
    const cluster = this.#byName.get(name);
    if (cluster) return cluster;
    throw invalidInput(
      `no cluster named ${JSON.stringify(name.slice(0, MAX_NAME))}`,
      `This server serves ${this.names.join(", ")} (default ${this.default.name}).`,
    );
  }
}
