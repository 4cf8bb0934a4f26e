/**
 * Fixed-column tables: qstat (default, -w, -a, -n, -s), qstat -Q / -q / -B,
 * pbsnodes -aS / -aSj / -l, pbs_rstat. Column widths and truncation rules are
 * OpenPBS's (qstat.c, pbsnodes.c, pbs_rstat.c); a value too long for its
 * column ends in `*`.
 */

import { parsePbsTime } from "../../src/pbs/model/time.ts";
import type { AttrList } from "../model.ts";
import { attrValue, distinctJobIds, findAttr } from "./attrs.ts";
import { showNonPrint } from "./text.ts";

// printf helpers --------------------------------------------------------------

/** `%-Ns` (left) or `%Ns` (right); `precision` cuts like `%.Ps`. */
export function pad(
  text: string,
  width: number,
  align: "left" | "right" = "left",
  precision?: number,
): string {
  const cut = precision === undefined ? text : text.slice(0, precision);
  return align === "left" ? cut.padEnd(width) : cut.padStart(width);
}

/** PBS's truncation: longer than `width` → first width-1 characters and `*`. */
export function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}*` : text;
}

const beforeAt = (text: string) => text.split("@")[0];

// qstat default ---------------------------------------------------------------

export interface JobRow {
  id: string;
  attrs: AttrList;
}

/** `2.vm.example.com` → `2.vm`: qstat keeps the first label of the server name. */
function shortJobId(id: string): string {
  const [seq, server] = id.split(".", 2);
  return server === undefined ? seq : `${seq}.${server}`;
}

/** Default `qstat` (and `-w`) table; empty input prints nothing, header included. */
export function qstatDefaultTable(rows: JobRow[], wide: boolean): string {
  if (rows.length === 0) return "";
  const header = wide
    ? "Job id                         Name            User             Time Use S Queue\n" +
      "-----------------------------  --------------- ---------------  -------- - ---------------\n"
    : "Job id            Name             User              Time Use S Queue\n" +
      "----------------  ---------------- ----------------  -------- - -----\n";
  const [idW, nameW, userW, queueW] = wide ? [30, 15, 15, 15] : [17, 16, 16, 16];
  const lines = rows.map(({ id, attrs }) => {
    const name = attrValue(attrs, "Job_Name") ?? "";
    // The name column truncates one character earlier than the others (>= rather than >).
    const shownName = name.length >= nameW ? `${name.slice(0, nameW - 1)}*` : name;
    const user = truncate(beforeAt(attrValue(attrs, "Job_Owner") ?? ""), userW);
    const used = truncate(attrValue(attrs, "resources_used", "cput") ?? "0", 8);
    const state = (attrValue(attrs, "job_state") ?? "").slice(0, 1);
    const queue = truncate(beforeAt(attrValue(attrs, "queue") ?? ""), queueW);
    return `${pad(truncate(shortJobId(id), idW), idW)} ${pad(shownName, nameW)} ${
      pad(user, userW)
    }  ` +
      `${pad(used, 8, "right")} ${state} ${pad(queue, queueW)}\n`;
  });
  return header + lines.join("");
}

// qstat -a ------------------------------------------------------------------

const BLANK = " -- ";

export interface AltOptions {
  wide: boolean;
  nodes: boolean;
  comments: boolean;
  server: string;
  /**
   * `-T`: the last column is the estimated start (`HH:MM` of
   * estimated.start_time, `--` without one) under an `Est`/`Start` header
   * (captures qstat_T_default_sched, qstat_T_strict_ordering).
   */
  estimatedStart?: (epoch: number) => string;
}

/** `qstat -a` (-w, -n, -s, -T): a `server:` line, two header lines, one row per job. */
export function qstatAltTable(rows: JobRow[], options: AltOptions): string {
  if (rows.length === 0) return "";
  let header = altHeader(options.wide);
  if (options.estimatedStart) {
    const [titles, ...rest] = header.split("\n");
    const est = `${" ".repeat(titles.length - 4)}Est\n`;
    header = est + [titles.replace(/Elap$/, "Start"), ...rest].join("\n");
  }
  let out = `\n${options.server}: \n` + header;
  for (const { id, attrs } of rows) {
    let row = altRow(id, attrs, options.wide);
    if (options.estimatedStart) {
      const start = attrValue(attrs, "estimated", "start_time");
      const epoch = start === undefined ? undefined : parsePbsTime(start);
      const shown = epoch === undefined ? "--" : options.estimatedStart(epoch);
      row = row.slice(0, row.length - 5) + pad(shown, 5, "right", 5);
    }
    out += `${row}\n`;
    if (options.nodes) out += `   ${execHostLine(attrValue(attrs, "exec_host"))}\n`;
    if (options.comments) out += `   ${altComment(attrValue(attrs, "comment"), options.wide)}\n`;
  }
  return out;
}

function altHeader(wide: boolean): string {
  if (!wide) {
    return `${" ".repeat(60)}Req'd  Req'd   Elap\n` +
      "Job ID          Username Queue    Jobname    SessID NDS TSK Memory Time  S Time\n" +
      "--------------- -------- -------- ---------- ------ --- --- ------ ----- - -----\n";
  }
  const widths = [30, 15, 15, 15, 8, 4, 5];
  const titles = ["Job ID", "Username", "Queue", "Jobname", "SessID", "NDS", "TSK"];
  const spaces = widths.map((w) => " ".repeat(w)).join(" ");
  const names = titles.map((t, i) => pad(t, widths[i])).join(" ");
  const dashes = widths.map((w) => "-".repeat(w)).join(" ");
  return `${spaces} Req'd  Req'd   Elap\n${names} Memory Time  S Time\n${dashes} ------ ----- - -----\n`;
}

function altRow(id: string, attrs: AttrList, wide: boolean): string {
  const fit = (text: string | undefined, narrow: number, wideWidth: number) =>
    text === undefined ? BLANK : truncate(text, wide ? wideWidth : narrow);
  const user = fit(attrValue(attrs, "Job_Owner")?.split("@")[0], 8, 15);
  const queue = fit(attrValue(attrs, "queue"), 8, 15);
  const name = fit(attrValue(attrs, "Job_Name"), 10, 15);
  const session = fit(attrValue(attrs, "session_id"), 6, 8);
  const nodect = fit(attrValue(attrs, "Resource_List", "nodect"), 3, 4);
  const ncpus = attrValue(attrs, "Resource_List", "ncpus");
  const tasks = ncpus === undefined || ncpus === "0" ? BLANK : truncate(ncpus, wide ? 5 : 3);
  const mem = attrValue(attrs, "Resource_List", "mem");
  const reqMem = mem === undefined ? BLANK : altSize(mem);
  const cput = attrValue(attrs, "Resource_List", "cput");
  const reqTime = cput ?? attrValue(attrs, "Resource_List", "walltime") ?? BLANK;
  const elapsed =
    (cput !== undefined
      ? attrValue(attrs, "resources_used", "cput")
      : attrValue(attrs, "resources_used", "walltime")) ?? BLANK;
  const state = attrValue(attrs, "job_state") ?? BLANK;
  const jobId = truncate(id, wide ? 30 : 15);
  const tail = `${pad(reqMem, 6, "right", 6)} ${pad(reqTime, 5, "right", 5)} ${
    pad(state, 1, "left", wide ? undefined : 1)
  } ${pad(elapsed, 5, "right", 5)}`;
  if (wide) {
    return `${pad(jobId, 30, "left", 30)} ${pad(user, 15, "left", 15)} ${
      pad(queue, 15, "left", 15)
    } ` +
      `${pad(name, 15, "left", 15)} ${pad(session, 8, "right", 8)} ${pad(nodect, 4, "right", 4)} ` +
      `${pad(tasks, 5, "right", 5)} ${tail}`;
  }
  return `${pad(jobId, 15, "left", 15)} ${pad(user, 8, "left", 8)} ${pad(queue, 8, "left", 8)} ` +
    `${pad(name, 10, "left", 10)} ${pad(session, 6, "right", 6)} ${pad(nodect, 3, "right", 3)} ` +
    `${pad(tasks, 3, "right", 3)} ${tail}`;
}

/**
 * `-n`: exec_host without domain parts, chunks joined by `+`; qstat starts a
 * new line before a host that would pass column 77.
 */
function execHostLine(execHost: string | undefined): string {
  if (!execHost) return BLANK;
  const hosts = execHost.split("+").map((chunk) => {
    const [host, ...rest] = chunk.split("/");
    const shortHost = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : host.split(".")[0];
    return [shortHost, ...rest].join("/");
  });
  const lines: string[] = [];
  let line = "";
  for (const host of hosts) {
    if (line && line.length + host.length >= 77) {
      lines.push(line.slice(0, -1));
      line = "";
    }
    line += `${host}+`;
  }
  lines.push(line.slice(0, -1));
  return lines.join("\n   ");
}

/** `-s`: the comment, cut to 71 (wide: 111) characters plus `...` when too long. */
function altComment(comment: string | undefined, wide: boolean): string {
  if (comment === undefined) return BLANK;
  const [limit, keep] = wide ? [114, 111] : [74, 71];
  return showNonPrint(comment.length > limit ? `${comment.slice(0, keep)}...` : comment);
}

/** qstat -a memory column: the value in its own unit, scaled up while above 9999. */
export function altSize(value: string): string {
  const m = /^(\d+)([kmgt]?)([bw]?)/i.exec(value);
  if (!m) return value;
  const units = " kmgtp";
  let amount = Number(m[1]);
  let unit = Math.max(0, units.indexOf(m[2].toLowerCase() || " "));
  const suffix = m[3].toLowerCase() === "w" ? "w" : "b";
  while (amount > 9999) {
    amount = Math.floor((amount + 1023) / 1024);
    unit++;
  }
  return `${amount}${units[unit] === " " ? "" : units[unit]}${suffix}`;
}

// Queue and server summaries ---------------------------------------------------

interface StateCounts {
  transit: number;
  queued: number;
  held: number;
  waiting: number;
  running: number;
  exiting: number;
  begun: number;
}

/** Parses `Transit:0 Queued:1 Held:2 Waiting:1 Running:6 Exiting:0 Begun:1 `. */
export function parseStateCount(text: string | undefined): StateCounts {
  const count = (label: string) => Number(new RegExp(`${label}:(\\d+)`).exec(text ?? "")?.[1] ?? 0);
  return {
    transit: count("Transit"),
    queued: count("Queued"),
    held: count("Held"),
    waiting: count("Waiting"),
    running: count("Running"),
    exiting: count("Exiting"),
    begun: count("Begun"),
  };
}

export interface NamedAttrs {
  name: string;
  attrs: AttrList;
}

const yesNo = (value: string | undefined) => (value?.startsWith("T") ? "yes" : "no");

/** `qstat -Q`. */
export function queueSummaryTable(queues: NamedAttrs[]): string {
  if (queues.length === 0) return "";
  const header = "Queue              Max   Tot Ena Str   Que   Run   Hld   Wat   Trn   Ext Type\n" +
    "---------------- ----- ----- --- --- ----- ----- ----- ----- ----- ----- ----\n";
  const num = (value: string | number) => pad(truncate(String(value), 5), 5, "right");
  return header + queues.map(({ name, attrs }) => {
    const c = parseStateCount(attrValue(attrs, "state_count"));
    return `${pad(truncate(name, 16), 16)} ${num(attrValue(attrs, "max_running") ?? "0")} ` +
      `${num(attrValue(attrs, "total_jobs") ?? "0")} ${
        pad(yesNo(attrValue(attrs, "enabled")), 3, "right")
      } ` +
      `${pad(yesNo(attrValue(attrs, "started")), 3, "right")} ${num(c.queued)} ${num(c.running)} ${
        num(c.held)
      } ` +
      `${num(c.waiting)} ${num(c.transit)} ${num(c.exiting)} ${
        pad(truncate(attrValue(attrs, "queue_type") ?? "", 4), 4)
      }\n`;
  }).join("");
}

/** `qstat -q`: limits per queue with run/queued totals. */
export function queueLimitsTable(server: string, queues: NamedAttrs[]): string {
  const blank = "  --   ";
  let totalRun = 0;
  let totalQueued = 0;
  let out = `\nserver: ${server}\n\n` +
    "Queue            Memory CPU Time Walltime Node   Run   Que   Lm  State\n" +
    "---------------- ------ -------- -------- ---- ----- ----- ----  -----\n";
  for (const { name, attrs } of queues) {
    const c = parseStateCount(attrValue(attrs, "state_count"));
    const queued = c.queued + c.held + c.waiting;
    totalRun += c.running;
    totalQueued += queued;
    const mem = attrValue(attrs, "resources_max", "mem");
    const cells = [
      pad(name, 16, "left", 16),
      pad(mem === undefined ? "--  " : altSize(mem), 6, "right", 6),
      pad(attrValue(attrs, "resources_max", "cput") ?? blank, 8, "right", 8),
      pad(attrValue(attrs, "resources_max", "walltime") ?? blank, 8, "right", 8),
      pad(attrValue(attrs, "resources_max", "nodect") ?? "-- ", 4, "right", 4),
    ];
    const enabled = attrValue(attrs, "enabled")?.startsWith("T") ? "E" : "D";
    const started = attrValue(attrs, "started")?.startsWith("T") ? "R" : "S";
    const limit = pad(attrValue(attrs, "max_running") ?? blank, 4, "right", 4);
    out +=
      `${cells.join(" ")} ${pad(String(c.running), 5, "right")} ${
        pad(String(queued), 5, "right")
      } ` +
      `${limit}   ${enabled} ${started}\n`;
  }
  out += `${" ".repeat(47)}----- -----\n${" ".repeat(47)}${pad(String(totalRun), 5, "right")} ${
    pad(String(totalQueued), 5, "right")
  }\n`;
  return out;
}

/** `qstat -B`. */
export function serverSummaryTable(server: NamedAttrs): string {
  const c = parseStateCount(attrValue(server.attrs, "state_count"));
  const num = (value: string | number) => pad(truncate(String(value), 5), 5, "right");
  return "Server             Max   Tot   Que   Run   Hld   Wat   Trn   Ext Status\n" +
    "---------------- ----- ----- ----- ----- ----- ----- ----- ----- -----------\n" +
    `${pad(truncate(server.name, 16), 16)} ${num(attrValue(server.attrs, "max_running") ?? "0")} ` +
    `${num(attrValue(server.attrs, "total_jobs") ?? "0")} ${num(c.queued)} ${num(c.running)} ${
      num(c.held)
    } ` +
    `${num(c.waiting)} ${num(c.transit)} ${num(c.exiting)} ${
      pad(truncate(attrValue(server.attrs, "server_state") ?? "", 10), 10)
    }\n`;
}

// pbsnodes ----------------------------------------------------------------------

/** `pbsnodes -l`: down or offline nodes, `%-20s state comment`. */
export function nodeListLine(name: string, attrs: AttrList): string {
  const state = attrValue(attrs, "state") ?? "";
  return `${pad(name, 20)} ${state} ${showNonPrint(attrValue(attrs, "comment") ?? "")}\n`;
}

export interface NodeSummary {
  name: string;
  state: string;
  os: string;
  hardware: string;
  host: string;
  queue: string;
  memory: string;
  ncpus: string;
  nmics: string;
  ngpus: string;
  comment: string;
  /** Job ids per slot (not de-duplicated), for -j. */
  jobs: string[];
  memFreeTotal: string;
  ncpusFreeTotal: string;
  nmicsFreeTotal: string;
  ngpusFreeTotal: string;
}

/** Gathers what `pbsnodes -S` shows from a node's AttrList. */
export function summariseNode(name: string, attrs: AttrList): NodeSummary {
  const available = (res: string) => attrValue(attrs, "resources_available", res);
  const assigned = (res: string) => attrValue(attrs, "resources_assigned", res);
  const count = (res: string) => Number.parseInt(available(res) ?? "0", 10) || 0;
  const used = (res: string) => Number.parseInt(assigned(res) ?? "0", 10) || 0;
  const jobsAttr = findAttr(attrs, "jobs");
  const jobs = jobsAttr?.value.kind === "list"
    ? jobsAttr.value.text.split(",").map((slot) => slot.trim().split("/")[0]).filter(Boolean)
    : [];
  const memTotal = available("mem") ?? "0kb";
  return {
    name,
    state: (attrValue(attrs, "state") ?? "--").split(",")[0],
    os: available("OS") ?? "--",
    hardware: available("hardware") ?? "--",
    host: available("host") ?? "--",
    queue: attrValue(attrs, "queue") ?? "--",
    memory: summarySize(memTotal),
    ncpus: String(count("ncpus")),
    nmics: String(count("nmics")),
    ngpus: String(count("ngpus")),
    comment: attrValue(attrs, "comment") ?? "--",
    jobs,
    memFreeTotal: `${summarySize(memTotal, assigned("mem"))}/${summarySize(memTotal)}`,
    ncpusFreeTotal: `${count("ncpus") - used("ncpus")}/${count("ncpus")}`,
    nmicsFreeTotal: `${count("nmics") - used("nmics")}/${count("nmics")}`,
    ngpusFreeTotal: `${count("ngpus") - used("ngpus")}/${count("ngpus")}`,
  };
}

/**
 * pbsnodes -S sizes: scaled down by 1024 (rounding up) while above 999
 * (`24684084kb` → `24gb`); with `assigned`, the free amount instead.
 */
function summarySize(total: string, assigned?: string): string {
  const units = " kmgtp";
  const parse = (text: string) => {
    const m = /^(\d+)([kmgt]?)/i.exec(text);
    return m
      ? { amount: Number(m[1]), unit: Math.max(0, units.indexOf(m[2].toLowerCase() || " ")) }
      : { amount: 0, unit: 0 };
  };
  let { amount, unit } = parse(total);
  if (assigned !== undefined) {
    const used = parse(assigned);
    let usedAmount = used.amount;
    for (let u = used.unit; u < unit; u++) {
      usedAmount = Math.floor((usedAmount % 1024 + usedAmount) / 1024);
    }
    for (let u = used.unit; u > unit; u--) usedAmount *= 1024;
    amount -= usedAmount;
  }
  while (amount > 999) {
    amount = Math.floor((amount % 1024 + amount) / 1024);
    unit++;
  }
  return `${amount}${units[unit].trim()}b`;
}

/** `pbsnodes -aS` (`jobs`=false) or `-aSj` table. */
export function nodeSummaryTable(nodes: NodeSummary[], withJobs: boolean, server: string): string {
  if (withJobs) {
    const header = `${" ".repeat(56)}mem       ncpus   nmics   ngpus\n` +
      "vnode           state           njobs   run   susp      f/t        f/t     f/t     f/t   jobs\n" +
      "--------------- --------------- ------ ----- ------ ------------ ------- ------- ------- -------\n";
    return header + nodes.map((n) => {
      const shown = distinctJobIds(n.jobs).map((id) => stripServer(id, server));
      const jobs = shown.length ? shown.join(",") : "--";
      const run = shown.length;
      return `${pad(n.name, 15, "left", 15)} ${pad(n.state, 15, "left", 15)} ${
        pad(String(run), 6, "right")
      } ` +
        `${pad(String(run), 5, "right")} ${pad("0", 6, "right")} ${
          pad(n.memFreeTotal, 12, "right", 12)
        } ` +
        `${pad(n.ncpusFreeTotal, 7, "right", 7)} ${pad(n.nmicsFreeTotal, 7, "right", 7)} ` +
        `${pad(n.ngpusFreeTotal, 7, "right", 7)} ${jobs}\n`;
    }).join("");
  }
  const header =
    "vnode           state           OS       hardware host            queue        mem     ncpus   nmics   ngpus  comment\n" +
    "--------------- --------------- -------- -------- --------------- ---------- -------- ------- ------- ------- ---------\n";
  return header +
    nodes.map((n) =>
      `${pad(n.name, 15, "left", 15)} ${pad(n.state, 15, "left", 15)} ${pad(n.os, 8, "left", 8)} ` +
      `${pad(n.hardware, 8, "left", 8)} ${pad(n.host, 15, "left", 15)} ${
        pad(n.queue, 10, "left", 10)
      } ` +
      `${pad(n.memory, 8, "right", 8)} ${pad(n.ncpus, 7, "right", 7)} ${
        pad(n.nmics, 7, "right", 7)
      } ` +
      `${pad(n.ngpus, 7, "right", 7)} ${showNonPrint(n.comment)}\n`
    ).join("");
}

function stripServer(id: string, server: string): string {
  return id.endsWith(`.${server}`) ? id.slice(0, -(server.length + 1)) : id;
}

// pbs_rstat --------------------------------------------------------------------

export interface ReservationRow {
  id: string;
  queue: string;
  user: string;
  /** Short state code: CO, RN, UN, ... */
  state: string;
  start: string;
  duration: number;
  end: string;
}

/** Default `pbs_rstat` table. */
export function reservationTable(rows: ReservationRow[]): string {
  if (rows.length === 0) return "";
  const header = `${pad("Resv ID", 10)} ${pad("Queue", 8)} ${pad("User", 8)} ${pad("State", 5)} ${
    pad("Start", 17, "right")
  } / Duration / ${pad("End", 17)}\n${"-".repeat(69)}\n`;
  return header +
    rows.map((r) =>
      `${pad(r.id, 10, "left", 10)} ${pad(r.queue, 8, "left", 8)} ${pad(r.user, 8, "left", 8)} ` +
      `${pad(r.state, 5, "left", 5)} ${pad(r.start, 17, "right", 17)} / ${r.duration} / ${
        pad(r.end, 17, "left", 17)
      }\n`
    ).join("");
}
