/** Advance and standing reservations: pbs_rsub, pbs_rstat, pbs_rdel. */

import {
  type Attr,
  PBSE,
  type ReservationRequest,
  SimError,
  type SimReservation,
} from "../model.ts";
import { getopt, has, lastArg } from "../argv.ts";
import { type CommandOutput, exitCodeOf, fail, ok, pbsMessage, serverMessage } from "../errno.ts";
import { parseDuration, parsePbsTime } from "../../src/pbs/model/time.ts";
import { parsePbsDate } from "../pbsdate.ts";
import { attrLabel, attrText, attrValue } from "../format/attrs.ts";
import { reservationTable } from "../format/tables.ts";
import { showNonPrint } from "../format/text.ts";
import { type CommandContext, connect, usageError, versionOutput } from "./context.ts";

export function pbsRsub(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "D:E:g:G:H:I:l:m:M:N:q:r:R:u:U:W:");
  if (!parsed.ok) return usageError(ctx, parsed.message);
  const now = ctx.complex.now();

  const startText = lastArg(parsed, "R");
  const start = startText === undefined ? now : parsePbsDate(startText, now);
  if (start === undefined) return usageError(ctx, "illegal -R time value");
  const endText = lastArg(parsed, "E");
  const end = endText === undefined ? undefined : parsePbsDate(endText, now);
  if (end === undefined && endText !== undefined) return usageError(ctx, "illegal -E time value");
  const durationText = lastArg(parsed, "D");
  const duration = durationText === undefined ? undefined : parseDuration(durationText);
  if (durationText !== undefined && duration === undefined) {
    return usageError(ctx, "illegal -D value");
  }
  const rrule = lastArg(parsed, "r");
  if (rrule !== undefined && !ctx.env.PBS_TZID) {
    return fail(2, "pbs_rsub error: a valid PBS_TZID timezone environment variable is required.\n");
  }
  if (end === undefined && duration === undefined) return usageError(ctx);

  const request: ReservationRequest = {
    start,
    end: end ?? start + (duration ?? 0),
    name: lastArg(parsed, "N"),
    resources: parsed.options.filter((o) => o.letter === "l").flatMap((o) =>
      splitResources(o.arg ?? "")
    ),
    users: lastArg(parsed, "U")?.split(","),
    rrule,
  };
  connect(ctx);
  try {
    const resv = ctx.complex.submitReservation(ctx.caller, request);
    return ok(`${resv.id} ${resv.state.replace(/^RESV_/, "")}\n`);
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    // pbs_rsub words this one differently: `Unknown resource: foo`.
    const message = error.errno === PBSE.UNKRESC
      ? `${pbsMessage(error.errno)}: ${error.detail.replace(/^Resource_List\./, "")}`
      : serverMessage(error);
    return fail(exitCodeOf(error.errno), `pbs_rsub: ${message}\n`);
  }
}

function splitResources(text: string): Array<[string, string]> {
  return text.split(",").filter(Boolean).map((item) => {
    const eq = item.indexOf("=");
    return eq < 0 ? [item, ""] : [item.slice(0, eq), item.slice(eq + 1)];
  });
}

// pbs_rstat ----------------------------------------------------------------------

const SHORT_STATES: Record<string, string> = {
  RESV_NONE: "NO",
  RESV_UNCONFIRMED: "UN",
  RESV_CONFIRMED: "CO",
  RESV_WAIT: "WT",
  RESV_TIME_TO_RUN: "TR",
  RESV_RUNNING: "RN",
  RESV_FINISHED: "FN",
  RESV_BEING_DELETED: "BD",
  RESV_DELETED: "DE",
  RESV_DELETING_JOBS: "DJ",
  RESV_DEGRADED: "DG",
  RESV_BEING_ALTERED: "AL",
  RESV_IN_CONFLICT: "IC",
};
const STATE_NAMES = Object.keys(SHORT_STATES);

/** Attributes pbs_rstat -f prints as dates (`%a %b %d %H:%M:%S %Y`). */
const DATE_ATTRS = new Set(["reserve_start", "reserve_end", "ctime", "mtime", "reserve_retry"]);
/** Attributes pbs_rstat -f leaves out. */
const HIDDEN_ATTRS = new Set(["resv_execvnodes", "reserve_standing", "reserve_timezone"]);

export function pbsRstat(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "fFBS");
  if (!parsed.ok) return usageError(ctx, parsed.message, 1);
  connect(ctx);
  const { complex } = ctx;

  let stderr = "";
  let reservations: SimReservation[] = complex.reservations();
  if (parsed.operands.length) {
    reservations = [];
    for (const id of parsed.operands) {
      try {
        reservations.push(complex.findReservation(completeResvId(id, ctx)));
      } catch (error) {
        if (!(error instanceof SimError)) throw error;
        // pbs_rstat reports an unknown id without naming it, and exits 0.
        stderr += `pbs_rstat: ${pbsMessage(error.errno)}\n`;
      }
    }
  }
  const full = has(parsed, "f") || has(parsed, "F");
  let stdout: string;
  if (has(parsed, "B")) stdout = reservations.map((r) => `Resv ID: ${r.id}\n`).join("");
  else if (full) {
    stdout = reservations.map((r) => fullText(r.id, complex.reservationAttributes(r))).join("");
  } else {stdout = reservationTable(reservations.map((r) =>
      tableRow(r, complex.reservationAttributes(r), complex.now())
    ));}
  return { stdout, stderr, code: 0 };
}

function completeResvId(id: string, ctx: CommandContext): string {
  return id.includes(".") ? id : `${id}.${ctx.complex.server.name}`;
}

function fullText(id: string, attrs: Attr[]): string {
  const lines = attrs.filter((a) => !HIDDEN_ATTRS.has(a.name)).map((a) =>
    `${attrLabel(a)} = ${showNonPrint(rstatValue(a))}\n`
  );
  return `Resv ID: ${id}\n${lines.join("")}\n`;
}

function rstatValue(attr: Attr): string {
  if (attr.resource === undefined && DATE_ATTRS.has(attr.name) && attr.value.kind === "int") {
    return strftimeLong(attr.value.value);
  }
  if (attr.name === "reserve_state" && attr.value.kind === "int") {
    return STATE_NAMES[attr.value.value] ?? String(attr.value.value);
  }
  return attrText(attr);
}

function epochOf(attrs: Attr[], name: string, fallback: number): number {
  const text = attrValue(attrs, name);
  if (text === undefined) return fallback;
  return parsePbsTime(text) ?? fallback;
}

function tableRow(resv: SimReservation, attrs: Attr[], now: number) {
  const start = epochOf(attrs, "reserve_start", resv.start);
  const end = epochOf(attrs, "reserve_end", resv.end);
  return {
    id: resv.id,
    queue: resv.queue,
    user: resv.owner,
    state: SHORT_STATES[resv.state] ?? "--",
    start: relativeTime(start, now),
    duration: Math.round(end - start),
    end: relativeTime(end, now),
  };
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

function strftimeLong(epoch: number): string {
  const d = new Date(epoch * 1000);
  return `${WEEKDAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${two(d.getDate())} ${
    two(d.getHours())
  }:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** PBS's convert_time: `Today 03:02`, `Wed 03:02` this week, `Wed Nov 25 03:02`, or with the year. */
export function relativeTime(epoch: number, now: number): string {
  const then = new Date(epoch * 1000);
  const current = new Date(now * 1000);
  const clock = `${two(then.getHours())}:${two(then.getMinutes())}`;
  if (then.getFullYear() !== current.getFullYear()) {
    return `${WEEKDAYS[then.getDay()]} ${MONTHS[then.getMonth()]} ${
      two(then.getDate())
    } ${then.getFullYear()} ${clock}`;
  }
  const dayOfYear = (d: Date) =>
    Math.floor(
      (Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(d.getFullYear(), 0, 1)) /
        86_400_000,
    );
  const [thenDay, nowDay] = [dayOfYear(then), dayOfYear(current)];
  if (thenDay === nowDay) return `Today ${clock}`;
  const weekStart = nowDay - current.getDay();
  if (thenDay >= weekStart && thenDay <= weekStart + 6) {
    return `${WEEKDAYS[then.getDay()]} ${clock}`;
  }
  return `${WEEKDAYS[then.getDay()]} ${MONTHS[then.getMonth()]} ${two(then.getDate())} ${clock}`;
}

// pbs_ralter -----------------------------------------------------------------------

/** `pbs_ralter [-R start] [-E end] [-D duration] ID` → `pbs_ralter: R44.vm CONFIRMED`. */
export function pbsRalter(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "D:E:I:l:m:M:N:q:R:U:W:");
  if (!parsed.ok || parsed.operands.length !== 1) {
    return usageError(ctx, parsed.ok ? undefined : parsed.message);
  }
  const now = ctx.complex.now();
  const time = (letter: string) => {
    const text = lastArg(parsed, letter);
    return text === undefined ? undefined : parsePbsDate(text, now) ?? null;
  };
  const start = time("R");
  if (start === null) return usageError(ctx, "illegal -R time value");
  const end = time("E");
  if (end === null) return usageError(ctx, "illegal -E time value");
  const durationText = lastArg(parsed, "D");
  const duration = durationText === undefined ? undefined : parseDuration(durationText);
  if (durationText !== undefined && duration === undefined) {
    return usageError(ctx, "illegal -D value");
  }
  connect(ctx);
  const id = completeResvId(parsed.operands[0], ctx);
  try {
    const outcome = ctx.complex.alterReservation(ctx.caller, id, { start, end, duration });
    return ok(`pbs_ralter: ${id} ${outcome}\n`);
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    return fail(exitCodeOf(error.errno), `pbs_ralter: ${serverMessage(error)}\n`);
  }
}

// pbs_rdel -------------------------------------------------------------------------

export function pbsRdel(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "q:");
  if (!parsed.ok || parsed.operands.length === 0) {
    return usageError(ctx, parsed.ok ? undefined : parsed.message);
  }
  connect(ctx);
  let stderr = "";
  let code = 0;
  for (const raw of parsed.operands) {
    const id = completeResvId(raw, ctx);
    try {
      ctx.complex.deleteReservation(ctx.caller, id);
    } catch (error) {
      if (!(error instanceof SimError)) throw error;
      stderr += `pbs_rdel: ${serverMessage(error)} ${id}\n`;
      code = exitCodeOf(error.errno);
    }
  }
  return { stdout: "", stderr, code };
}
