/**
 * list_clusters: the clusters this server serves and the health of each
 * (reachable, PBS version, who the caller is there and their role). Offered
 * only when there are several (inventory.ts); each cluster is asked at once,
 * so one that does not answer costs its timeout, not the others'.
 */
import { z } from "zod";
import { isPbsError } from "../../pbs/errors.ts";
import type { Cluster } from "../../service/cluster_set.ts";
import { defineTool } from "../tool_kit.ts";

const ClusterHealthShape = z.object({
  name: z.string(),
  default: z.boolean(),
  reach: z.string(),
  user: z.string(),
  reachable: z.boolean(),
  pbs_version: z.string().optional(),
  role: z.enum(["user", "operator", "manager"]).optional(),
  profile: z.string().optional(),
  error: z.string().optional(),
});

type ClusterHealth = z.infer<typeof ClusterHealthShape>;

export const listClusters = defineTool({
  name: "list_clusters",
  title: "Clusters served",
  description: "The PBS clusters this server serves, each with its health: reachable or not " +
    "(and why), PBS version, who you are there and your role. Other tools take one as cluster.",
  input: {},
  output: { clusters: z.array(ClusterHealthShape) },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(_args, { clusters }) {
    const health = await Promise.all(
      clusters.all.map((c) => healthOf(c, c === clusters.default)),
    );
    return { structured: { clusters: health }, text: health.map(healthLine).join("\n") };
  },
});

async function healthOf(cluster: Cluster, isDefault: boolean): Promise<ClusterHealth> {
  const { client } = cluster;
  const base = {
    name: cluster.name,
    default: isDefault,
    reach: cluster.reach,
    user: client.user,
    ...(client.profile ? { profile: client.profile.name } : {}),
  };
  try {
    const [server, identity] = await Promise.all([client.server(), client.identity()]);
    return {
      ...base,
      user: identity.user,
      reachable: true,
      ...(server.version ? { pbs_version: server.version } : {}),
      role: identity.role,
    };
  } catch (error) {
    const reason = isPbsError(error)
      ? `${error.kind}: ${error.message}${error.hint ? ` ${error.hint}` : ""}`
      : error instanceof Error
      ? error.message
      : String(error);
    return { ...base, reachable: false, error: reason.slice(0, 600) };
  }
}

function healthLine(h: ClusterHealth): string {
  const name = `${h.name}${h.default ? " (default)" : ""}`;
  const profile = h.profile ? `; site profile ${h.profile}` : "";
  if (!h.reachable) {
    return `${name}: NOT reachable (${h.error}); ${h.reach}; you would be ${h.user}${profile}`;
  }
  return `${name}: reachable, PBS ${h.pbs_version ?? "version not shown"}; you are ${h.user} ` +
    `(${h.role}); ${h.reach}${profile}`;
}
