/**
 * Every tool the server can offer, in the order `tools/list` shows them, with
 * its toolset and kind. server.ts registers from this list through
 * `selectTools`, so a mode that offers fewer tools (read-only today; toolsets
 * and exclusions later) is a filter here, never a condition inside a tool.
 *
 * Adding a tool: export its `defineTool` value from a module in this folder
 * and add one line below.
 */
import type { AnyToolDefinition } from "../tool_kit.ts";
import { getAllocation } from "./allocation.ts";
import { submitBatchJobs, submitDependentJobs } from "./batch.ts";
import { checkPrivileges, getServerInfo, listNodes, listQueues } from "./cluster.ts";
import { listClusters } from "./clusters.ts";
import { diagnoseJobTool } from "./diagnose.ts";
import { estimateStartTool } from "./estimate.ts";
import { analyzeHistoryTool } from "./history.ts";
import { deleteJob, holdJob, modifyJob, releaseJob } from "./job_changes.ts";
import { getJobOutput } from "./job_output.ts";
import { getJobStatus } from "./job_status.ts";
import { getJobSummary } from "./job_summary.ts";
import { listJobs } from "./list_jobs.ts";
import { listReservations, manageReservation } from "./reservations.ts";
import { generateJobScriptTool } from "./scripts.ts";
import { submitJob } from "./submit.ts";
import { waitForJob } from "./wait.ts";

/** Groups of tools a deployment can offer or leave out together. */
export const TOOLSETS = ["jobs", "cluster", "reservations", "scripts"] as const;
export type Toolset = typeof TOOLSETS[number];

/**
 * read: only asks PBS (readOnlyHint); write: changes PBS state without
 * losing work; destructive: may kill or discard jobs or reservations
 * (destructiveHint).
 */
export type ToolKind = "read" | "write" | "destructive";

export interface InventoryEntry {
  tool: AnyToolDefinition;
  toolset: Toolset;
  kind: ToolKind;
  /**
   * Offered only when a site profile defines an allocation command
   * (`allocation`), or when the server serves several clusters (`clusters`).
   */
  needs?: "allocation" | "clusters";
}

const entry = (
  tool: AnyToolDefinition,
  toolset: Toolset,
  kind: ToolKind,
  needs?: InventoryEntry["needs"],
): InventoryEntry => ({ tool, toolset, kind, ...(needs ? { needs } : {}) });

export const TOOL_INVENTORY: readonly InventoryEntry[] = [
  entry(submitJob, "jobs", "write"),
  entry(getJobStatus, "jobs", "read"),
  entry(listJobs, "jobs", "read"),
  entry(getJobSummary, "jobs", "read"),
  entry(deleteJob, "jobs", "destructive"),
  entry(holdJob, "jobs", "write"),
  entry(releaseJob, "jobs", "write"),
  entry(modifyJob, "jobs", "destructive"),
  entry(waitForJob, "jobs", "read"),
  entry(getJobOutput, "jobs", "read"),
  entry(submitBatchJobs, "jobs", "write"),
  entry(submitDependentJobs, "jobs", "write"),
  entry(diagnoseJobTool, "jobs", "read"),
  entry(analyzeHistoryTool, "jobs", "read"),
  entry(estimateStartTool, "jobs", "read"),
  entry(listQueues, "cluster", "read"),
  entry(listNodes, "cluster", "read"),
  entry(getServerInfo, "cluster", "read"),
  entry(checkPrivileges, "cluster", "read"),
  entry(getAllocation, "cluster", "read", "allocation"),
  entry(listClusters, "cluster", "read", "clusters"),
  entry(listReservations, "reservations", "read"),
  entry(manageReservation, "reservations", "destructive"),
  entry(generateJobScriptTool, "scripts", "read"),
];

/** What decides which tools a server offers (fixed at start-up). */
export interface ToolSelection {
  /** Offer only tools of kind read. */
  readOnly: boolean;
  /** Offer only tools of these toolsets (absent: all). */
  toolsets?: readonly string[];
  /** Never offer these tools. */
  excludeTools?: readonly string[];
  /** A cluster's site profile defines an allocation command (get_allocation). */
  allocation?: boolean;
  /** The server serves several clusters (list_clusters). */
  several?: boolean;
}

/**
 * The inventory entries a server with this selection registers, in inventory
 * order. Unknown toolset or tool names are an error naming the valid ones, so
 * a typo in a deployment fails at start-up instead of offering too much.
 */
export function selectTools(
  inventory: readonly InventoryEntry[],
  selection: ToolSelection,
): InventoryEntry[] {
  const names = inventory.map((e) => e.tool.name);
  for (const set of selection.toolsets ?? []) {
    if (!(TOOLSETS as readonly string[]).includes(set)) {
      throw new Error(`unknown toolset "${set}"; toolsets are ${TOOLSETS.join(", ")}`);
    }
  }
  for (const tool of selection.excludeTools ?? []) {
    if (!names.includes(tool)) {
      throw new Error(`cannot exclude unknown tool "${tool}"; tools are ${names.join(", ")}`);
    }
  }
  return inventory.filter((e) =>
    (!selection.readOnly || e.kind === "read") &&
    (e.needs !== "allocation" || selection.allocation === true) &&
    (e.needs !== "clusters" || selection.several === true) &&
    (selection.toolsets === undefined || selection.toolsets.includes(e.toolset)) &&
    !(selection.excludeTools ?? []).includes(e.tool.name)
  );
}
