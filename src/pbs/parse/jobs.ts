/**
 * Jobs from `qstat -f -F json [-x] [-t]` and from plain `qstat -f` text.
 *
 * Both formats are first reduced to the same thing: a job id, a flat attribute
 * map (`Resource_List.walltime` → `00:30:00`, values as text) and the
 * `Variable_List` as name → text. One function builds the `Job` from that, so a
 * job reads the same whichever format it came in.
 */

import type { ArrayInfo, Job, JobTimes } from "../model/types.ts";
import { isJobStateLetter } from "../model/states.ts";
import { parsePbsTime } from "../model/time.ts";
import {
  type FlatAttributes,
  flattenAttributes,
  parseBoolean,
  parseInteger,
  parseStateCount,
  resourceMaps,
  sectionEntries,
  setDefined,
  variablesFromJson,
  variablesFromText,
} from "./attributes.ts";
import { wrongShape } from "../json.ts";

/** Jobs in `qstat -f -F json` output (one or several concatenated documents). */
export function parseJobsJson(text: string): Job[] {
  const jobs: Job[] = [];
  for (const [id, value] of sectionEntries(text, "Jobs")) {
    // Every job PBS lists has a state; without one this is not a job.
    if (typeof value["job_state"] !== "string") {
      throw wrongShape(text, `job ${JSON.stringify(id.slice(0, 80))} has no job_state`);
    }
    const variables = variablesFromJson(value["Variable_List"]);
    jobs.push(buildJob(id, flattenAttributes(value, variables), variables));
  }
  return jobs;
}

/**
 * Jobs in plain `qstat -f` text (also `-fw`, `-fx`). Wrapped values (TAB
 * continuation lines) are joined; a value holding a raw newline (an
 * environment variable passed with `-V`) is rebuilt as well as the format
 * allows. Prefer JSON where it is available.
 */
export function parseJobsText(text: string): Job[] {
  return splitTextRecords(text).map(({ id, attributes }) =>
    buildJob(id, attributes, variablesFromText(attributes["Variable_List"] ?? ""))
  );
}

// ---------------------------------------------------------------------------
// The one place a Job is built

const JOB_TIMES: ReadonlyArray<[keyof JobTimes, string]> = [
  ["created", "ctime"],
  ["queued", "qtime"],
  ["eligible", "etime"],
  ["started", "stime"],
  ["finished", "obittime"],
  ["modified", "mtime"],
  ["executeAfter", "Execution_Time"],
  ["estimatedStart", "estimated.start_time"],
];

/** Builds a Job from its id, flat text attributes and variables (format-independent). */
export function buildJob(
  id: string,
  attributes: FlatAttributes,
  variables: Record<string, string>,
): Job {
  const a = attributes;
  const resources = resourceMaps(a);
  const owner = a["Job_Owner"] ?? "";
  const job: Job = {
    id,
    name: a["Job_Name"] ?? "",
    owner,
    user: owner.split("@")[0],
    state: jobState(a["job_state"]),
    queue: a["queue"] ?? "",
    // PBS omits Hold_Types on subjobs; "n" is its "no hold".
    holdTypes: a["Hold_Types"] ?? "n",
    requested: resources["Resource_List"] ?? {},
    used: resources["resources_used"] ?? {},
    times: jobTimes(a),
    variables,
    attributes: a,
  };
  setDefined(job, "substate", parseInteger(a["substate"]));
  setDefined(job, "server", a["server"]);
  setDefined(job, "account", a["Account_Name"]);
  setDefined(job, "project", a["project"]);
  setDefined(job, "priority", parseInteger(a["Priority"]));
  setDefined(job, "comment", a["comment"]);
  setDefined(job, "execHost", a["exec_host"]);
  setDefined(job, "execVnode", a["exec_vnode"]);
  setDefined(job, "exitStatus", parseInteger(a["Exit_status"]));
  setDefined(job, "runCount", parseInteger(a["run_count"]));
  setDefined(job, "depend", a["depend"]);
  setDefined(job, "outputPath", a["Output_Path"]);
  setDefined(job, "errorPath", a["Error_Path"]);
  setDefined(job, "joinPath", a["Join_Path"]);
  setDefined(job, "keepFiles", a["Keep_Files"]);
  setDefined(job, "mailPoints", a["Mail_Points"]);
  setDefined(job, "mailUsers", a["Mail_Users"]);
  setDefined(job, "rerunnable", parseBoolean(a["Rerunable"]));
  setDefined(job, "array", arrayInfo(a));
  setDefined(job, "arrayParent", a["array_id"]);
  setDefined(job, "arrayIndex", parseInteger(a["array_index"]));
  setDefined(job, "reservation", a["reserve_ID"]);
  setDefined(job, "submitArguments", a["Submit_arguments"]);
  setDefined(job, "submitHost", a["Submit_Host"]);
  setDefined(job, "sessionId", parseInteger(a["session_id"]));
  setDefined(job, "workdir", variables["PBS_O_WORKDIR"]);
  return job;
}

/**
 * The state letter. PBS always prints `job_state`; should it be missing or
 * unknown, the job is reported as queued and the raw text stays in
 * `attributes.job_state`.
 */
function jobState(text: string | undefined): Job["state"] {
  const letter = (text ?? "").trim();
  return isJobStateLetter(letter) ? letter : "Q";
}

function jobTimes(a: FlatAttributes): JobTimes {
  const times: JobTimes = {};
  for (const [field, attribute] of JOB_TIMES) {
    const text = a[attribute];
    if (text !== undefined) setDefined(times, field, cachedPbsTime(text));
  }
  return times;
}

/**
 * Jobs share timestamps heavily (a batch submitted in the same second), and
 * ctime parsing builds a Date each time; a small memo avoids that. Bounded,
 * and cleared wholesale when full, so it never grows without limit.
 */
const TIME_CACHE_LIMIT = 4096;
const timeCache = new Map<string, number | undefined>();

function cachedPbsTime(text: string): number | undefined {
  if (timeCache.has(text)) return timeCache.get(text);
  if (timeCache.size >= TIME_CACHE_LIMIT) timeCache.clear();
  const value = parsePbsTime(text);
  timeCache.set(text, value);
  return value;
}

function arrayInfo(a: FlatAttributes): ArrayInfo | undefined {
  if (parseBoolean(a["array"]) !== true) return undefined;
  const info: ArrayInfo = { stateCount: parseStateCount(a["array_state_count"]) };
  setDefined(info, "indicesSubmitted", a["array_indices_submitted"]);
  setDefined(info, "indicesRemaining", a["array_indices_remaining"]);
  return info;
}

// ---------------------------------------------------------------------------
// qstat -f text

interface TextRecord {
  id: string;
  attributes: FlatAttributes;
}

const JOB_HEADER = /^Job Id: (.*)$/;
const ATTRIBUTE_LINE = /^ {4}([A-Za-z_][\w.-]*) = ?(.*)$/;

/**
 * Splits `qstat -f` text into jobs and their attributes. `qstat -f` wraps long
 * values at ~78 columns onto lines starting with a TAB (joined without a
 * separator, the break can fall mid-word). Any other line that is neither a
 * header nor an attribute belongs to a value that contained a raw newline.
 */
function splitTextRecords(text: string): TextRecord[] {
  const records: TextRecord[] = [];
  let record: TextRecord | undefined;
  let lastKey: string | undefined;
  let blankLines = 0;
  for (const rawLine of text.split("\n")) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine;
    const header = JOB_HEADER.exec(line);
    if (header) {
      record = { id: header[1].trim(), attributes: {} };
      records.push(record);
      lastKey = undefined;
      blankLines = 0;
      continue;
    }
    if (!record) continue; // anything before the first job (none in practice)
    if (line === "") {
      blankLines++;
      continue;
    }
    const attribute = ATTRIBUTE_LINE.exec(line);
    if (attribute) {
      lastKey = attribute[1];
      record.attributes[lastKey] = attribute[2];
    } else if (lastKey !== undefined) {
      const joined = line.startsWith("\t") && blankLines === 0
        ? line.slice(1)
        : "\n".repeat(blankLines + 1) + line;
      record.attributes[lastKey] += joined;
    }
    blankLines = 0;
  }
  return records;
}
