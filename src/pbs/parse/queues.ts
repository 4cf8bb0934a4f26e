/**
 * Queues from `qstat -Qf -F json` (section key `"Queue"`, singular).
 */

import type { Queue } from "../model/types.ts";
import {
  type FlatAttributes,
  flattenAttributes,
  parseBoolean,
  parseInteger,
  parseStateCount,
  resourceMaps,
  sectionEntries,
  setDefined,
  splitList,
} from "./attributes.ts";

/** Queues in `qstat -Qf -F json` output; an envelope without `"Queue"` means none. */
export function parseQueuesJson(text: string): Queue[] {
  const queues: Queue[] = [];
  for (const [name, value] of sectionEntries(text, "Queue")) {
    queues.push(buildQueue(name, flattenAttributes(value)));
  }
  return queues;
}

/** Builds a Queue from its name and flat text attributes. */
export function buildQueue(name: string, a: FlatAttributes): Queue {
  const resources = resourceMaps(a);
  const queue: Queue = {
    name,
    type: a["queue_type"] ?? "",
    // PBS's defaults for a queue that does not print these: False.
    enabled: parseBoolean(a["enabled"]) ?? false,
    started: parseBoolean(a["started"]) ?? false,
    totalJobs: parseInteger(a["total_jobs"]) ?? 0,
    stateCount: parseStateCount(a["state_count"]),
    resourcesMax: resources["resources_max"] ?? {},
    resourcesMin: resources["resources_min"] ?? {},
    resourcesDefault: resources["resources_default"] ?? {},
    resourcesAssigned: resources["resources_assigned"] ?? {},
    aclUserEnable: parseBoolean(a["acl_user_enable"]) ?? false,
    aclUsers: splitList(a["acl_users"]),
    routeDestinations: splitList(a["route_destinations"]),
    attributes: a,
  };
  setDefined(queue, "priority", parseInteger(a["Priority"]));
  setDefined(queue, "maxRun", a["max_run"]);
  setDefined(queue, "maxQueued", a["max_queued"]);
  return queue;
}
