/**
 * get_allocation: the caller's projects and remaining balances, from the site
 * profile's allocation command (ALCF: sbank). Offered only when the active
 * profile defines one (inventory.ts).
 */
import { z } from "zod";
import { PbsError } from "../../pbs/errors.ts";
import { defineTool } from "../tool_kit.ts";

export const getAllocation = defineTool({
  name: "get_allocation",
  title: "Allocation balance",
  description: "Your projects and each one's remaining allocation balance, in the site's unit " +
    "(e.g. node-hours), from its accounting command.",
  input: {},
  output: {
    unit: z.string(),
    allocations: z.array(z.object({
      project: z.string(),
      balance: z.number(),
      resource: z.string().optional(),
      end: z.string().optional(),
    })),
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(_args, { client, clusters }) {
    const found = await client.allocations();
    if (!found) {
      // With several clusters the tool is offered when one of them has an allocation command.
      const having = clusters.all.filter((c) => c.client.profile?.allocation !== undefined);
      throw new PbsError({
        kind: "invalid_state",
        message: "The active site profile defines no allocation command.",
        hint: clusters.several
          ? `Clusters with one: ${having.map((c) => c.name).join(", ") || "none"}. Or add ` +
            "allocation.command to this cluster's site profile (clusters.NAME.profile in the " +
            "configuration file)."
          : "Add allocation.command to the site profile (PBS_MCP_PROFILE).",
      });
    }
    const lines = found.rows.map((a) =>
      `${a.project}: ${a.balance} ${found.unit} left` +
      (a.resource ? ` on ${a.resource}` : "") + (a.end ? `, until ${a.end}` : "")
    );
    return {
      structured: { unit: found.unit, allocations: found.rows },
      text: lines.length ? lines.join("\n") : "No allocations found for you.",
    };
  },
});
