/**
 * The error catalogue: turns a finished PBS command (exit code + stderr) into a
 * typed PbsError, or decides that it succeeded.
 *
 * Facts this relies on (OpenPBS 23.06, see tests/fixtures/golden/INDEX.md):
 * - Most client commands exit with `pbs_errno & 0xFF` and print
 *   `<cmd>: <message> [<id>]`; the message text identifies the PBS error even
 *   when the exit code does not (qrun and qterm exit 2, pbsnodes always 1,
 *   qmgr 1 for some server errors).
 * - Some commands report failures at exit 0 (`pbs_rstat -f R99999.vm` prints
 *   `Unknown Reservation Id` and exits 0), and some print warnings at exit 0
 *   that are not failures (`qstat -x` with job history disabled).
 * - `qsub -W block=true` exits with the *job's* exit status after printing the
 *   job id: the submission itself succeeded.
 * - A hung (SIGSTOPped) server accepts connections and never answers, so the
 *   only symptom is the runner's own timeout.
 *
 * The rules are one table, tried in order; a rule whose text AND exit code
 * match wins over one whose text alone matches (qdel with several ids prints
 * one line per failing id and exits with the code of the last one).
 */

import { PbsError, type PbsErrorKind } from "./errors.ts";
import type { RunResult } from "./runner.ts";

/** What a rule gets to look at. */
interface FailureContext {
  /** The command name (`qsub`), without any directory. */
  command: string;
  /** The full argv when the caller gave it; `[command]` otherwise. */
  argv: readonly string[];
  result: RunResult;
  /** stderr, or stdout when stderr is blank (tracejob prints its usage on stdout). */
  text: string;
}

type Match = RegExpExecArray | undefined;
type Text<T> = T | ((match: Match, ctx: FailureContext) => T);

interface Rule {
  kind: PbsErrorKind;
  /** Searched for in the context's text. Without one, the rule matches on `codes` alone. */
  pattern?: RegExp;
  /** Exit codes PBS uses for this error; confirm a text match and break ties. */
  codes?: readonly number[];
  /** Extra condition on the argv or the result. */
  when?: (ctx: FailureContext) => boolean;
  /** The pbs_errno this message stands for (pbs_error.h), when the text pins it down. */
  errno?: number;
  message: Text<string>;
  hint: Text<string>;
}

// ---------------------------------------------------------------------------
// Small readers for details in stderr and argv (all best-effort, for messages).

/** A job id as PBS prints or accepts it: `12`, `12.vm`, `5[]`, `5[3].vm`. */
const JOB_ID = /^\d+(?:\[\d*\])?(?:\.\S+)?$/;

function isJobId(text: string | undefined): text is string {
  return text !== undefined && JOB_ID.test(text);
}

/** The value of option `flag` in argv (`-q workq` or `-qworkq`). */
function optionValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === flag) return argv[i + 1];
    if (argv[i].startsWith(flag) && argv[i].length > flag.length) return argv[i].slice(flag.length);
  }
  return undefined;
}

/** The last argument when it is not an option: the script, id or name most commands end with. */
function lastOperand(argv: readonly string[]): string | undefined {
  const last = argv.length > 1 ? argv[argv.length - 1] : undefined;
  return last !== undefined && !last.startsWith("-") ? last : undefined;
}

/** The object a server-side qmgr error is about: `qmgr obj=debug svr=default: ...`. */
function qmgrObject(ctx: FailureContext): string | undefined {
  const obj = /^qmgr obj=(\S+) svr=/m.exec(ctx.text)?.[1];
  return obj === "" ? undefined : obj;
}

/** The queue a qsub (-q) or qmove (first operand) was aimed at. */
function destinationQueue(ctx: FailureContext): string | undefined {
  const dest = ctx.command === "qmove" ? ctx.argv[1] : optionValue(ctx.argv, "-q");
  return dest?.split("@")[0] || undefined;
}

/** `Resource_List.walltime` → `walltime`; qmgr's `resources_max.walltime` stays as is. */
function attributeName(raw: string): string {
  return raw.replace(/^Resource_List\./, "");
}

const quote = (s: string | undefined) => (s ? ` ${s}` : "");
const jobSuffix = (id: string | undefined) => (id ? ` (job ${id})` : "");

/** The first stderr line without the `<cmd>: ` prefix, for the generic fallback. */
function firstLine(ctx: FailureContext): string {
  const line = (ctx.text.split("\n").find((l) => l.trim() !== "") ?? "").trim();
  const prefix = `${ctx.command}:`;
  return line.startsWith(prefix) ? line.slice(prefix.length).trim() : line;
}

/** An explicit error number in stderr: `errno=15010`, `error=15010`, `Error (15007) returned`. */
function errnoInText(text: string): number | undefined {
  const m = /(?:errno=|error=|Error \()(\d{5})\b/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * PBS error numbers run from 15001 to about 15231, so `errno & 0xFF` is 153..255
 * for 15001..15103 and 0..127 for 15104..15231. Only 153..254 is unambiguous:
 * low codes collide with plain usage/exit codes, and qstat exits 255 for any
 * connection failure.
 */
function errnoFromExitCode(code: number): number | undefined {
  return code >= 153 && code <= 254 ? 14848 + code : undefined;
}

// ---------------------------------------------------------------------------
// Hints that depend on the command.

const PERMISSION_HINTS: Record<string, string> = {
  qsub:
    "The queue's access control (acl_users / acl_groups, or a reservation queue owned by someone else) excludes you: check acl_users with list_queues and submit to a queue you are allowed in.",
  qmove:
    "Only the job's owner or a PBS operator/manager can move a job, and the destination queue's acl_users/acl_groups must admit the owner: check the queue with list_queues.",
  qalter:
    "Only the job's owner may alter it, and once it runs only a PBS operator/manager may raise its resources (e.g. walltime); lowering them is allowed.",
  qhold:
    "Users may set only user (u) holds, on their own jobs; operator (o) and system (s) holds need a PBS operator or manager.",
  qrls:
    "Users may release only user (u) holds on their own jobs; operator (o) and system (s) holds must be released by a PBS operator or manager.",
  qsig: "Only the job's owner may signal it, and suspend/resume need a PBS operator or manager.",
  qrerun:
    "Requeueing a job (qrerun) needs PBS operator or manager privilege; ask an administrator.",
  qrun: "Force-running a job (qrun) needs PBS operator or manager privilege; ask an administrator.",
  qterm: "Stopping the PBS server needs PBS manager privilege (normally root on the server host).",
  qmgr:
    "Changing PBS configuration needs PBS manager (for some attributes operator) privilege; unprivileged users may only list and print.",
  pbsnodes:
    "Changing node state or comments (offline, clear, comment) needs PBS operator or manager privilege.",
};
const DEFAULT_PERMISSION_HINT =
  "Only the job's owner or a PBS operator/manager can do this: check the job's owner with get_job_status.";

const PERMISSION_VERBS: Record<string, string> = {
  qdel: "delete",
  qhold: "hold",
  qrls: "release",
  qalter: "modify",
  qmove: "move",
  qorder: "reorder",
  qsig: "signal",
  qrerun: "rerun",
  qrun: "run",
  qmsg: "send a message to",
};

function permissionMessage(match: Match, ctx: FailureContext): string {
  const target = match?.[1]?.trim() || undefined;
  switch (ctx.command) {
    case "qsub": {
      const queue = destinationQueue(ctx);
      return `Permission denied: PBS refused the submission to ${
        queue ? `queue ${queue}` : "the queue"
      }`;
    }
    case "qterm":
      return "Permission denied: only a PBS manager can stop the server";
    case "qmgr": {
      const object = qmgrObject(ctx);
      return `Permission denied: PBS refused the qmgr request${object ? ` on ${object}` : ""}`;
    }
    default: {
      const verb = PERMISSION_VERBS[ctx.command] ?? "change";
      return `Permission denied: you may not ${verb} job${quote(target) || "s"}`;
    }
  }
}

const STATE_HINTS: Record<string, string> = {
  qsig:
    "Signals can only be sent to a running (or suspended) job: check its state with get_job_status; queued and held jobs have no process to signal.",
  qrerun: "Only a running job can be requeued: check its state with get_job_status.",
  qdel:
    "The job is in a state that refuses this (e.g. exiting, E): wait until it finishes, or force the deletion (qdel -W force).",
};
const DEFAULT_STATE_HINT =
  "The job's current state does not allow this request (e.g. signals need a running job): check its state with get_job_status and retry once it changes.";

/** Value formats for the attributes that most often get an illegal value. */
const VALUE_FORMATS: Record<string, string> = {
  walltime: "walltime is a duration [[hh:]mm:]ss, e.g. 01:30:00",
  cput: "cput is a duration [[hh:]mm:]ss, e.g. 01:30:00",
  mem: "mem is an integer with an optional b/kb/mb/gb/tb suffix, e.g. 4gb",
  vmem: "vmem is an integer with an optional b/kb/mb/gb/tb suffix, e.g. 4gb",
  ncpus: "ncpus is a non-negative integer",
  ngpus: "ngpus is a non-negative integer",
  nodect: "nodect is a non-negative integer",
  select: "select is N:res=value[:res=value...][+N:...], e.g. 2:ncpus=4:mem=8gb",
  place: "place is free|pack|scatter|vscatter, optionally :excl|:shared|:exclhost",
};

function valueHint(attribute: string): string {
  const base = attribute.split(".").pop() ?? attribute;
  // The attribute name comes from PBS's message, which quotes the user's resource name.
  const format = Object.hasOwn(VALUE_FORMATS, base) ? VALUE_FORMATS[base] : undefined;
  return format
    ? `Fix the value's format: ${format}.`
    : `Check the format PBS expects for ${attribute} (PBS Reference Guide, "Resources"/"Attributes").`;
}

/** What each qsub/qalter/qhold/... option means and which values it takes. */
const OPTION_HINTS: Record<string, { what: string; hint: string }> = {
  N: {
    what: "job name",
    hint:
      "Job names may use only ASCII letters, digits and - _ + . (no spaces or accents), at most 230 characters.",
  },
  p: { what: "priority", hint: "Priority must be an integer from -1024 to 1023." },
  h: {
    what: "hold type",
    hint: "Hold types are u (user), o (operator), s (system) and p (password), e.g. u or uo.",
  },
  J: {
    what: "array range",
    hint: "Array ranges are X-Y[:Z] with X < Y, e.g. 1-100 or 1-100:2.",
  },
  l: {
    what: "resource list",
    hint: "Resource lists are name=value[,name=value], e.g. walltime=01:00:00,select=1:ncpus=2.",
  },
  W: {
    what: "-W attribute",
    hint: "-W takes attribute=value, e.g. depend=afterok:123.server or block=true.",
  },
  a: {
    what: "start time",
    hint: "Start times are [[[[CC]YY]MM]DD]hhmm[.SS], e.g. 202611241530 or 1530.",
  },
};

// ---------------------------------------------------------------------------
// The table.

const RULES: readonly Rule[] = [
  {
    kind: "command_not_found",
    codes: [127],
    message: (_m, ctx) => `The PBS command ${ctx.command} was not found`,
    hint:
      "PBS client commands are not on the MCP server's PATH: install the PBS clients or add PBS_EXEC/bin (e.g. /opt/pbs/bin) to PATH.",
  },
  {
    kind: "server_unreachable",
    pattern: /^Unknown Host\./m,
    codes: [160],
    errno: 15008,
    message: "The PBS server host name could not be resolved",
    hint:
      "A destination of the form queue@host, or PBS_SERVER, names a host DNS cannot resolve: drop the @host part or fix the server name.",
  },
  {
    kind: "server_unreachable",
    pattern: /Connection refused|cannot connect to server|Couldn't connect to cluster/,
    codes: [255, 162, 1, 3],
    message: (_m, ctx) => {
      const server = /cannot connect to server ([^\s,(]+)|connect to cluster:? (\S+)/.exec(
        ctx.text,
      );
      return `Cannot connect to the PBS server${quote(server?.[1] ?? server?.[2])}`;
    },
    hint:
      "pbs_server is not running or not reachable, or PBS_SERVER / pbs.conf names the wrong host: check that the server is up (qstat -B) and the MCP server's PBS configuration.",
  },
  {
    kind: "unknown_job",
    pattern: /Unknown Job Id(?: (.+))?/,
    codes: [153],
    errno: 15001,
    message: (m) => `PBS does not know job${quote(m?.[1]?.trim()) || "s"}`,
    hint:
      "Check the id with list_jobs including finished jobs. A finished job vanishes at once when job history is disabled (job_history_enable = False), otherwise after job_history_duration; qdel -x purges it too.",
  },
  {
    kind: "unknown_job",
    pattern: /Couldn't find Job Id (\S+) in logs of past (\d+) days?/,
    message: (m) => `No PBS log entries for job ${m?.[1]} in the past ${m?.[2]} day(s)`,
    hint:
      "tracejob reads only this host's PBS logs for the last N days: look further back (more days), check the job id, or run it on the PBS server host where the server and scheduler logs live.",
  },
  {
    kind: "job_finished",
    // qstat: `15.vm Job has finished, use -x ...`; qdel: `Job has finished 15.vm`; qalter: no id
    pattern: /^\S+: (?:(\S+) )?Job has finished(?: (\S+))?/m,
    codes: [35, 2],
    errno: 15139,
    message: (m) => `Job${quote(m?.[1] ?? m?.[2])} has already finished`,
    hint:
      "The job is in the job history now: query it with finished (history) jobs included (qstat -x). Finished jobs cannot be deleted, altered, held, moved or signalled.",
  },
  {
    kind: "permission_denied",
    pattern: /Error marking node (\S+) - Unauthorized Request/,
    codes: [1],
    errno: 15007,
    message: (m) => `Permission denied: you may not change node ${m?.[1]}`,
    hint: PERMISSION_HINTS.pbsnodes,
  },
  {
    kind: "permission_denied",
    pattern: /Unauthorized Request(?:[ \t]+(\S.*))?/,
    codes: [159, 2, 1],
    errno: 15007,
    message: permissionMessage,
    hint: (_m, ctx) => PERMISSION_HINTS[ctx.command] ?? DEFAULT_PERMISSION_HINT,
  },
  {
    kind: "permission_denied",
    pattern: /Bad UID for job execution/,
    codes: [175],
    errno: 15023,
    message: "PBS refuses to run jobs as this user (root job submission is disabled by default)",
    hint:
      "Submit as an ordinary user; running jobs as root needs the server's acl_roots to list root, which an administrator must set.",
  },
  {
    kind: "permission_denied",
    pattern: /Bad effective UID for reservation/,
    codes: [247],
    errno: 15095,
    message: "PBS refuses reservations submitted as root",
    hint: "Submit the reservation as an ordinary user.",
  },
  {
    kind: "unknown_queue",
    // `Unknown queue`, `Unknown queue 4.vm` (qmove: a job id), `Unknown queue nosuchq`,
    // `Unknown queue destination nonexistent.vm`
    pattern: /Unknown queue( destination)?(?: (\S+))?/,
    codes: [170, 1],
    errno: 15018,
    message: (m, ctx) => {
      const token = m?.[2];
      if (m?.[1] && token) {
        return `${token} is neither a known queue nor a well-formed job id`;
      }
      const queue = qmgrObject(ctx) ?? (isJobId(token) ? undefined : token) ??
        destinationQueue(ctx);
      return `Queue${quote(queue)} does not exist${jobSuffix(isJobId(token) ? token : undefined)}`;
    },
    hint: (m, ctx) =>
      "List the queues with list_queues and use one of those names (they are case-sensitive)." +
      (ctx.command === "qstat" && m?.[1]
        ? " qstat takes an argument that is not a job id (digits, optional [index], .server) for a queue name."
        : ""),
  },
  {
    kind: "queue_disabled",
    pattern: /Queue is not enabled(?: (\S+))?/,
    codes: [173],
    errno: 15021,
    message: (m, ctx) =>
      `Queue${quote(destinationQueue(ctx))} is disabled and accepts no new jobs${
        jobSuffix(m?.[1])
      }`,
    hint:
      "The queue's enabled attribute is False: pick an enabled queue from list_queues, or ask an administrator to enable it.",
  },
  {
    kind: "resource_limit",
    pattern: /Job violates queue and\/or server resource limits(?: (\S+))?/,
    codes: [188],
    errno: 15036,
    message: (m, ctx) =>
      `Job${quote(m?.[1])} does not fit the resource limits of ${
        destinationQueue(ctx) ? `queue ${destinationQueue(ctx)}` : "the queue"
      } or server`,
    hint:
      "Compare the job's request with the queue's resources_min/resources_max (list_queues) and the server's limits, then lower (or raise) walltime, ncpus or mem to fit, or pick a queue whose limits allow it.",
  },
  {
    kind: "job_discarded",
    // PBSE_ROUTEREJ (pbs_error.h). More often PBS accepts the job first and drops it
    // silently (golden qsub_route_no_destination_accepted): PbsClient checks for that.
    pattern: /Job rejected by all possible destinations/,
    codes: [15041 & 0xff],
    errno: 15041,
    message: "No destination of the routing queue accepts the job, so PBS discarded it",
    hint:
      "Compare the request with each destination's resources_min/resources_max (list_queues): change walltime or node_count to fit one, or name an execution queue it fits with queue.",
  },
  {
    kind: "resource_limit",
    pattern: /Array job exceeds server or queue size limit/,
    codes: [3],
    errno: 15107,
    message: "The array job has more subjobs than the server or queue allows",
    hint:
      "The server's max_array_size (get_server_info; PBS's default is 10000) caps subjobs per array: split the index range into several smaller arrays.",
  },
  {
    kind: "unknown_resource",
    // `Unknown resource Resource_List.foo [4.vm]`, pbs_rsub: `Unknown resource: foo`
    pattern: /Unknown resource:? (\S+)(?: (\S+))?/,
    codes: [187],
    errno: 15035,
    message: (m) => `Unknown resource ${attributeName(m?.[1] ?? "")}${jobSuffix(m?.[2])}`,
    hint:
      "Use a resource the server defines (ncpus, mem, walltime, select, place, ... or a site resource from qmgr -c 'list resource'); names are case-sensitive.",
  },
  {
    kind: "illegal_value",
    pattern: /Illegal attribute or resource value (\S+)(?: (\S+))?/,
    codes: [166],
    errno: 15014,
    message: (m) => `Invalid value for ${attributeName(m?.[1] ?? "")}${jobSuffix(m?.[2])}`,
    hint: (m) => valueHint(attributeName(m?.[1] ?? "")),
  },
  {
    kind: "illegal_value",
    pattern: /Unknown\/illegal signal name(?: (\S+))?/,
    codes: [165],
    errno: 15013,
    message: (m, ctx) => `Unknown signal${quote(optionValue(ctx.argv, "-s"))}${jobSuffix(m?.[1])}`,
    hint:
      "Use a signal name such as SIGTERM, SIGKILL or SIGUSR1 (the SIG prefix is optional), a signal number, or suspend/resume.",
  },
  {
    kind: "illegal_value",
    pattern: /illegally formed job identifier:? (\S+)/,
    codes: [1],
    message: (m) => `${m?.[1]} is not a valid job id`,
    hint:
      "Job ids look like 123.server (the .server suffix is optional), 5[].server for an array or 5[3].server for a subjob, and the server part must name this PBS server.",
  },
  {
    kind: "bad_dependency",
    pattern: /illegal -W value/,
    codes: [2],
    when: (ctx) => ctx.argv.some((a) => /depend=/.test(a)),
    message: (_m, ctx) => {
      const spec = ctx.argv.find((a) => /depend=/.test(a));
      return `Invalid job dependency${quote(spec)}`;
    },
    hint:
      "Dependencies look like depend=TYPE:JOBID[:JOBID...] with TYPE one of after, afterok, afternotok, afterany, before, beforeok, beforenotok, beforeany, on:COUNT or runone, e.g. depend=afterok:123.server.",
  },
  {
    kind: "bad_time",
    // pbs_rsub only: qsub/qalter's -R is the unrelated "remove output files" option
    pattern: /illegal -([RED]) (?:time )?value/,
    codes: [2],
    when: (ctx) => ctx.command === "pbs_rsub",
    message: (m) =>
      `Invalid reservation ${
        ({ R: "start time", E: "end time", D: "duration" } as Record<string, string>)[m?.[1] ?? ""]
      } (-${m?.[1]})`,
    hint:
      "Times are [[[[CC]YY]MM]DD]hhmm[.SS] (e.g. 202611241530 or 1530) and durations [[hh:]mm:]ss (e.g. 01:00:00).",
  },
  {
    kind: "bad_time",
    pattern: /Bad time specification/,
    codes: [238],
    errno: 15086,
    message: "The reservation's times are invalid",
    hint:
      "The start must lie in the future and the end after the start: give a future start with a duration or a later end time.",
  },
  {
    kind: "bad_time",
    pattern: /PBS_TZID timezone environment variable is required/,
    codes: [2],
    message: "Standing (recurring) reservations need a time zone (PBS_TZID)",
    hint:
      "Set PBS_TZID in the environment the command runs with to a zoneinfo name such as Europe/Berlin or Etc/UTC, then retry.",
  },
  {
    kind: "illegal_value",
    // after bad_dependency and bad_time, which claim their own -W / -R / -E / -D cases
    pattern: /illegal -(\w) value/,
    codes: [2],
    message: (m, ctx) =>
      `Invalid ${OPTION_HINTS[m?.[1] ?? ""]?.what ?? "value"} (-${m?.[1]}) for ${ctx.command}`,
    hint: (m) =>
      OPTION_HINTS[m?.[1] ?? ""]?.hint ??
        "Check this option's value format in the command's man page (see pbsMessage).",
  },
  {
    kind: "illegal_value",
    // qsub -l place=excl without -l select (capture qsub_err_place_without_select, exit 7 = 15111 & 0xFF)
    pattern: /Cannot have "place" without "select"/,
    codes: [7],
    errno: 15111,
    message: "A placement (-l place=...) needs a chunk request (-l select=...) with it",
    hint:
      "PBS accepts place only together with select: add a select, e.g. -l select=1:ncpus=1 -l place=excl, or drop the place request.",
  },
  {
    kind: "pbs_error",
    // A site queuejob hook's e.reject(msg): `qsub: <msg>`, exit 32 = PBSE_HOOKERROR 15136 & 0xFF
    // (capture qsub_hook_rejected_no_filesystems). The message is the site's own words.
    pattern: /^qsub: (.+)$/m,
    codes: [32],
    when: (ctx) => ctx.command === "qsub" && ctx.result.code === 32,
    errno: 15136,
    message: (m) =>
      `The site's submission policy (a PBS queuejob hook) rejected the job: ${m?.[1]}`,
    hint: (m) => siteHookHint(m?.[1] ?? ""),
  },
  {
    kind: "invalid_state",
    // qmgr delete resource while any job requests it, even a finished one in history
    // (captures qmgr_delete_resource_in_use, qmgr_delete_resource_history_job)
    pattern: /^qmgr obj=(\S+) svr=\S+: Resource busy on job/m,
    codes: [70],
    errno: 15174,
    message: (m) => `Resource ${m?.[1]} is still requested by a job and cannot be deleted`,
    hint:
      "qmgr refuses to delete a resource that any job requests, including finished jobs kept in the history: delete those jobs and purge their history (qdel -x) first.",
  },
  {
    kind: "invalid_state",
    pattern: /Request invalid for state of job(?: (.+))?/,
    codes: [168],
    errno: 15016,
    message: (m) => `Job${quote(m?.[1]?.trim())} is not in a state that allows this request`,
    hint: (_m, ctx) => STATE_HINTS[ctx.command] ?? DEFAULT_STATE_HINT,
  },
  {
    kind: "invalid_state",
    pattern: /Cannot modify attribute while job running\s+(\S+)(?: (\S+))?/,
    codes: [167],
    errno: 15015,
    message: (m) =>
      `Cannot change ${attributeName(m?.[1] ?? "")} of job${quote(m?.[2])} while it is running`,
    hint:
      "Resources such as select and ncpus are fixed once a job runs: change them while it is queued (hold, alter, release), or delete and resubmit it.",
  },
  {
    kind: "unknown_node",
    // pbsnodes: `Node: nosuchnode,  Error: Unknown node`; qmgr: `qmgr obj=nosuchnode ...: Unknown node`
    pattern: /(?:Node: ([^,\s]+),\s+Error: )?Unknown node/,
    codes: [1],
    errno: 15062,
    message: (m, ctx) => `Unknown node${quote(m?.[1] ?? qmgrObject(ctx))}`,
    hint:
      "List nodes with list_nodes. pbsnodes without -v looks the argument up as a HOST (Mom) name, which can differ from the vnode name: query the node by its vnode name (pbsnodes -v).",
  },
  {
    kind: "unknown_reservation",
    // pbs_rdel: `Unknown Reservation Id R99999.vm`; pbs_rstat (exit 0): no id
    pattern: /Unknown Reservation Id(?: (\S+))?/,
    codes: [236, 0],
    errno: 15084,
    message: (m, ctx) => `Reservation${quote(m?.[1] ?? lastOperand(ctx.argv))} does not exist`,
    hint:
      "Check the id with list_reservations (R123.server; standing reservations S123.server). Reservations disappear when they end, are deleted, or are denied by the scheduler.",
  },
  {
    kind: "script_not_found",
    pattern: /script file:+ No such file or directory/,
    codes: [1],
    message: (_m, ctx) =>
      `Job script not found${lastOperand(ctx.argv) ? `: ${lastOperand(ctx.argv)}` : ""}`,
    hint:
      "Give the path of an existing, readable file; relative paths resolve against the directory qsub runs in (the MCP server's working directory), so prefer absolute paths.",
  },
  {
    kind: "script_not_found",
    pattern: /script not a file/,
    codes: [1],
    message: (_m, ctx) => `Job script${quote(lastOperand(ctx.argv))} is not a regular file`,
    hint:
      "The path names a directory or special file: give the path of the job script file itself.",
  },
  {
    kind: "usage",
    pattern: /^qmgr: (?:Syntax error|Illegal operation)/m,
    codes: [1, 4],
    message: "qmgr could not parse the directive",
    hint:
      "Check the verb (list, print, set, unset, create, delete), the object type and the attribute name; qmgr reports an unknown attribute name as a syntax error.",
  },
  {
    kind: "usage",
    pattern: /invalid option|conflicting options|^usage:|^USAGE:/im,
    codes: [2, 1],
    message: (_m, ctx) => `${ctx.command} rejected its command-line options`,
    hint:
      "The options passed to PBS are invalid or not supported by this PBS version (see pbsMessage for PBS's usage text); this points to a bug in how the request was turned into a command, so report it.",
  },
];

/** submit_job parameters that set a `-l` resource of the same name. */
const SUBMIT_RESOURCE_PARAMETERS = [
  "walltime",
  "ncpus",
  "ngpus",
  "mem",
  "select",
  "place",
  "filesystems",
];

/**
 * What to change after a site hook's refusal: the resource its message names
 * (`-l NAME`), with the example value the message gives, if any.
 */
export function siteHookHint(reason: string): string {
  const resource = /-l\s*([A-Za-z_][\w.]*)/.exec(reason)?.[1];
  if (resource === undefined) {
    return "The text after qsub: is the site's own rule, not a PBS error: change the request the way it says (often a resource or account the site requires) and submit again.";
  }
  const example = /\(e\.g\.?\s*([^)]+)\)/.exec(reason)?.[1]?.trim();
  const value = example ?? "VALUE";
  const how = SUBMIT_RESOURCE_PARAMETERS.includes(resource)
    ? `set submit_job's ${resource} parameter (e.g. ${resource}: "${value}")`
    : `pass extra_resources: {"${resource}": "${value}"}`;
  return `The site requires the resource ${resource} (-l ${resource}=...) on every job: ${how} and submit again${
    example ? "; the value shown is the site's own example" : ""
  }.`;
}

// ---------------------------------------------------------------------------
// Classification.

/** Commands that report failures on stderr while still exiting 0. */
const FAILS_AT_EXIT_ZERO = new Set(["pbs_rstat"]);

function commandName(commandOrArgv: string | readonly string[]): {
  command: string;
  argv: readonly string[];
} {
  const argv = typeof commandOrArgv === "string" ? [commandOrArgv] : commandOrArgv;
  const command = (argv[0] ?? "").split("/").pop() ?? "";
  return { command, argv };
}

/** `qsub -W block=true` printed a job id and exits with the job's own exit status. */
function isBlockingQsubSuccess(ctx: FailureContext): boolean {
  return ctx.command === "qsub" && ctx.result.stderr.trim() === "" &&
    /^\d+(?:\[\])?\.\S+$/.test(ctx.result.stdout.trim());
}

function isSuccess(ctx: FailureContext): boolean {
  const { code, stderr } = ctx.result;
  if (code === 0) return !(FAILS_AT_EXIT_ZERO.has(ctx.command) && stderr.trim() !== "");
  return isBlockingQsubSuccess(ctx);
}

function ruleMatch(rule: Rule, ctx: FailureContext): { match: Match } | undefined {
  if (rule.when && !rule.when(ctx)) return undefined;
  if (!rule.pattern) {
    return rule.codes?.includes(ctx.result.code) ? { match: undefined } : undefined;
  }
  const match = rule.pattern.exec(ctx.text);
  return match ? { match } : undefined;
}

function findRule(ctx: FailureContext): { rule: Rule; match: Match } | undefined {
  const candidates = RULES.flatMap((rule) => {
    const found = ruleMatch(rule, ctx);
    return found ? [{ rule, match: found.match }] : [];
  });
  return candidates.find((c) => c.rule.codes?.includes(ctx.result.code)) ?? candidates[0];
}

function resolve<T>(text: Text<T>, match: Match, ctx: FailureContext): T {
  return typeof text === "function"
    ? (text as (m: Match, c: FailureContext) => T)(match, ctx)
    : text;
}

function genericFailure(ctx: FailureContext): { message: string; hint: string } {
  const { code } = ctx.result;
  const detail = firstLine(ctx);
  if (detail) {
    return {
      message: `${ctx.command} failed (exit code ${code}): ${detail}`,
      hint:
        "PBS's own explanation is in pbsMessage; if it is not self-explanatory, the PBS server log (or tracejob for a job) on the server host has the details.",
    };
  }
  const signal = code > 128 ? ` (killed by signal ${code - 128})` : "";
  return {
    message: `${ctx.command} exited with code ${code}${signal} without an error message`,
    hint:
      "PBS gave no explanation: retry once, and if it persists check the PBS server and MoM logs on the server host.",
  };
}

function timeoutError(ctx: FailureContext): PbsError {
  // The configured limit, not the time taken: that includes the grace between SIGTERM and SIGKILL.
  const seconds = Math.round((ctx.result.timeoutMs ?? ctx.result.durationMs) / 100) / 10;
  return new PbsError({
    kind: "timeout",
    message: `${ctx.command} did not finish within ${seconds} s and was stopped`,
    hint:
      "The PBS server may be hung: PBS clients wait forever on a stopped (SIGSTOPped or wedged) pbs_server that still accepts connections. Check the server host; if the site is merely slow, retry later or raise the timeout.",
    pbsMessage: ctx.result.stderr.trim() || undefined,
    command: ctx.command,
  });
}

function truncatedError(ctx: FailureContext): PbsError {
  return new PbsError({
    kind: "output_too_large",
    message:
      `${ctx.command} printed more output than the configured limit; it was cut off and cannot be parsed`,
    hint:
      "Narrow the request (a job id, user, queue or state filter, or without finished jobs), or raise the output limit (maxOutputBytes).",
    command: ctx.command,
    exitCode: ctx.result.code,
  });
}

/**
 * Classifies a finished PBS command. Returns undefined when it succeeded,
 * otherwise the PbsError describing why it failed.
 *
 * `commandOrArgv` is the full argv (preferred: lets messages name the queue,
 * script or reservation and tells a bad `-W depend=` from other `-W` values)
 * or just the command name.
 *
 * Precedence: a timeout beats everything (a killed command's exit code and
 * output mean nothing); a non-zero exit is classified from its text even when
 * output was truncated (stderr still says what went wrong); a truncated
 * *successful* result is `output_too_large`, because a cut-off JSON document or
 * id list would otherwise be parsed as if complete.
 */
export function classifyFailure(
  commandOrArgv: string | readonly string[],
  result: RunResult,
): PbsError | undefined {
  const { command, argv } = commandName(commandOrArgv);
  const text = result.stderr.trim() !== "" ? result.stderr : result.stdout;
  const ctx: FailureContext = { command, argv, result, text };

  if (result.timedOut) return timeoutError(ctx);
  if (isSuccess(ctx)) return result.truncated ? truncatedError(ctx) : undefined;

  const found = findRule(ctx);
  const { message, hint } = found
    ? {
      message: resolve(found.rule.message, found.match, ctx),
      hint: resolve(found.rule.hint, found.match, ctx),
    }
    : genericFailure(ctx);
  return new PbsError({
    kind: found?.rule.kind ?? "pbs_error",
    message,
    hint,
    pbsMessage: result.stderr.trim() || undefined,
    command,
    exitCode: result.code,
    pbsErrno: errnoInText(result.stderr) ?? found?.rule.errno ?? errnoFromExitCode(result.code),
  });
}

/** Returns the result when the command succeeded, throws its PbsError otherwise. */
export function checkResult(
  commandOrArgv: string | readonly string[],
  result: RunResult,
): RunResult {
  const error = classifyFailure(commandOrArgv, result);
  if (error) throw error;
  return result;
}
