/**
 * The server from `qstat -Bf -F json` (section key `"Server"`, singular).
 */

import type { ServerInfo } from "../model/types.ts";
import { PbsError } from "../errors.ts";
import {
  type FlatAttributes,
  flattenAttributes,
  parseBoolean,
  parseInteger,
  parseStateCount,
  resourceMaps,
  sectionEntries,
  setDefined,
} from "./attributes.ts";

/** The first server in `qstat -Bf -F json` output. */
export function parseServerJson(text: string): ServerInfo {
  for (const [name, value] of sectionEntries(text, "Server")) {
    return buildServer(name, flattenAttributes(value));
  }
  throw new PbsError({
    kind: "parse_error",
    message: "PBS's server listing holds no server.",
    hint: '`qstat -Bf -F json` printed an envelope without a "Server" section; check the ' +
      "command's exit code and stderr (the server may be unreachable).",
  });
}

/** Builds ServerInfo from the server's name and flat text attributes. */
export function buildServer(name: string, a: FlatAttributes): ServerInfo {
  const resources = resourceMaps(a);
  const server: ServerInfo = {
    name,
    // Unset job_history_enable means history is off.
    jobHistoryEnable: parseBoolean(a["job_history_enable"]) ?? false,
    stateCount: parseStateCount(a["state_count"]),
    resourcesAvailable: resources["resources_available"] ?? {},
    resourcesAssigned: resources["resources_assigned"] ?? {},
    resourcesDefault: resources["resources_default"] ?? {},
    attributes: a,
  };
  setDefined(server, "version", a["pbs_version"]);
  setDefined(server, "state", a["server_state"]);
  setDefined(server, "host", a["server_host"]);
  setDefined(server, "defaultQueue", a["default_queue"]);
  setDefined(server, "scheduling", parseBoolean(a["scheduling"]));
  setDefined(server, "jobHistoryDuration", a["job_history_duration"]);
  setDefined(server, "totalJobs", parseInteger(a["total_jobs"]));
  setDefined(server, "maxArraySize", parseInteger(a["max_array_size"]));
  return server;
}
