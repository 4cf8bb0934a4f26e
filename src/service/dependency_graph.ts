/**
 * Submission order for a set of jobs that depend on each other.
 *
 * `submit_dependent_jobs` takes jobs by key and edges `{on, type}`; PBS needs
 * the job a dependency names to exist first, so jobs are submitted in
 * topological order. Cycles and unknown keys are rejected before anything is
 * submitted: a half-submitted chain is worse than none.
 */
import { invalidInput } from "../pbs/errors.ts";

export type DependencyType = "afterok" | "afternotok" | "afterany";

export interface DependencyEdge {
  on: string;
  type: DependencyType;
}

export type DependencyGraph = Record<string, DependencyEdge[]>;

/**
 * The edges of job `key`; none when the graph does not name it. Keys are
 * user-chosen: `constructor` or `toString` must never find Object.prototype's.
 */
export function edgesOf(graph: DependencyGraph, key: string): DependencyEdge[] {
  return Object.hasOwn(graph, key) ? graph[key] : [];
}

/** Keys in an order where every job comes after the jobs it depends on (input order kept where free). */
export function submissionOrder(keys: string[], graph: DependencyGraph): string[] {
  const known = new Set(keys);
  if (known.size !== keys.length) {
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    throw invalidInput(
      `job key ${JSON.stringify(dup)} is used twice`,
      "Give every job a unique key.",
    );
  }
  for (const [key, edges] of Object.entries(graph)) {
    if (!known.has(key)) {
      throw invalidInput(
        `dependency_graph names job ${JSON.stringify(key)}, which is not in jobs`,
        `Use one of the job keys: ${keys.join(", ")}.`,
      );
    }
    for (const edge of edges) {
      if (!known.has(edge.on)) {
        throw invalidInput(
          `job ${JSON.stringify(key)} depends on unknown job ${JSON.stringify(edge.on)}`,
          `Use one of the job keys: ${keys.join(", ")}.`,
        );
      }
      if (edge.on === key) {
        throw invalidInput(
          `job ${JSON.stringify(key)} depends on itself`,
          "Remove the self-dependency.",
        );
      }
    }
  }

  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (key: string, path: string[]) => {
    if (state.get(key) === "done") return;
    if (state.get(key) === "visiting") {
      const cycle = [...path.slice(path.indexOf(key)), key].join(" → ");
      throw invalidInput(
        `the dependency graph has a cycle: ${cycle}`,
        "A job cannot (indirectly) wait for itself; remove one edge of the cycle.",
      );
    }
    state.set(key, "visiting");
    for (const edge of edgesOf(graph, key)) visit(edge.on, [...path, key]);
    state.set(key, "done");
    order.push(key);
  };
  for (const key of keys) visit(key, []);
  return order;
}

/** The `-W depend=` value for one job, given the ids of the jobs already submitted. */
export function dependValue(edges: DependencyEdge[], ids: Map<string, string>): string | undefined {
  if (edges.length === 0) return undefined;
  const byType = new Map<DependencyType, string[]>();
  for (const edge of edges) {
    const id = ids.get(edge.on);
    if (id === undefined) {
      throw new Error(`internal: ${edge.on} not submitted before its dependant`);
    }
    byType.set(edge.type, [...(byType.get(edge.type) ?? []), id]);
  }
  return [...byType].map(([type, list]) => `${type}:${list.join(":")}`).join(",");
}
