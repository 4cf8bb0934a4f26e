/** Advance and standing reservations: pbs_rsub, pbs_rstat, pbs_rdel. */

import {
  type Attr,
  PBSE,
  type ReservationRequest,
  SimError,
  type SimReservation,
} from "../model.ts";
import { getopt, lastArg } from "../argv.ts";
import { type CommandOutput, exitCodeOf, fail, ok, pbsMessage, serverMessage } from "../errno.ts";
import { parseDuration, parsePbsTime } from "../../src/pbs/model/time.ts";
import { parsePbsDate } from "../pbsdate.ts";
import { attrLabel, attrText, attrValue } from "../format/attrs.ts";
import { reservationTable } from "../format/tables.ts";
import { showNonPrint } from "../format/text.ts";
import { type CommandContext, connect, usageError, versionOutput } from "./context.ts";
import { type AttrCheck, attributeRefusal, isAtList, verifyJobName } from "./job_attrs.ts";
import { parseEqualString, parseReservationId, splitResources } from "./option_syntax.ts";
import { USAGE } from "./usage.ts";

/**
 * pbs_rsub. Its own option rules (`src/cmds/pbs_rsub.c` `process_opts`):
 * `-R`/`-E` dates `cvtdate` reads (`illegal -R time value`), `-I` an
 * integer, `-q` of the form `@server`, `-l` and `-D` (as `walltime=D`) as
 * `set_resources` reads them, `-W` as `parse_equal_string` reads it; each
 * complaint, then the usage, exit 2. Operands are a `directive error`
 * (every argument echoed) and the usage. The library's checks follow the
 * connection (`handle_attribute_errors`): -N a name, -u/-g user lists, -m
 * a/b/e/c or n, -M a mail list (`illegal -X value` + usage, exit 2), and
 * resource values, -D's walltime included (`pbs_rsub: MESSAGE`, exit 166).
 */
export function pbsRsub(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  if (ctx.args.length === 0) return usageError(ctx);
  const parsed = getopt(ctx.args, "D:E:g:G:H:I:l:m:M:N:q:r:R:u:U:W:");
  if (!parsed.ok) return usageError(ctx, parsed.message);
  const now = ctx.complex.now();

  let complaints = "";
  const checks: AttrCheck[] = [];
  const resources: Array<[string, string]> = [];
  let start: number | undefined;
  let end: number | undefined;
  let duration: number | undefined;
  let durationGiven = false;
  for (const { letter, arg = "" } of parsed.options) {
    switch (letter) {
      case "R":
      case "E": {
        const when = parsePbsDate(arg, now);
        if (when === undefined) complaints += `pbs_rsub: illegal -${letter} time value\n`;
        else if (letter === "R") start = when;
        else end = when;
        break;
      }
      case "D":
      case "l": {
        const split = splitResources(letter === "D" ? `walltime=${arg}` : arg, "pbs_rsub");
        if ("error" in split) {
          complaints += letter === "D" ? "pbs_rsub: illegal -D value\n" : split.error;
          break;
        }
        for (const [name, value] of split.pairs) {
          if (letter === "D") [duration, durationGiven] = [parseDuration(value), true];
          else resources.push([name, value]);
          checks.push({ letter: "l", value, resource: name });
        }
        break;
      }
      case "I":
        if (!/^\s*[+-]?(0x[0-9a-f]+|\d+)$/i.test(arg) && arg !== "") {
          complaints += "pbs_rsub: illegal -I time value\n";
        }
        break;
      case "q":
        if (!arg.startsWith("@")) complaints += `pbs_rsub: illegal -q value: format "@server"\n`;
        break;
      case "W":
        if (arg.trim() === "" || !parseEqualString(arg.trimStart())) {
          complaints += "pbs_rsub: illegal -W value\n";
        }
        break;
      case "m":
        checks.push({ letter, value: arg.trimStart() });
        break;
      case "N":
      case "u":
      case "g":
      case "M":
        checks.push({ letter, value: arg });
        break;
    }
  }
  if (!complaints && parsed.operands.length) {
    complaints = `pbs_rsub: directive error: ${ctx.args.map((a) => `${a} `).join("")}\n`;
  }
  if (complaints) return fail(2, complaints + USAGE.pbs_rsub);

  const rrule = lastArg(parsed, "r");
  if (rrule !== undefined && !ctx.env.PBS_TZID) {
    return fail(2, "pbs_rsub error: a valid PBS_TZID timezone environment variable is required.\n");
  }
  start ??= now;
  if (end === undefined && !durationGiven) return usageError(ctx);

  connect(ctx);
  const refused = reservationRefusal(ctx, checks);
  if (refused) return refused;
  const request: ReservationRequest = {
    start,
    end: end ?? start + (duration ?? 0),
    name: lastArg(parsed, "N"),
    resources,
    users: lastArg(parsed, "U")?.split(","),
    rrule,
  };
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

/**
 * The library's checks of a reservation request (`ecl_verify_values.c` for
 * the attributes of `master_resv_attr_def.xml`): mail points of a
 * reservation are a, b, e, c (or n); an over-long name is
 * `pbs_rsub: Reservation name is too long ` (exit 2).
 */
function reservationRefusal(ctx: CommandContext, checks: AttrCheck[]): CommandOutput | undefined {
  for (const check of checks) {
    const { letter, value } = check;
    if (check.resource !== undefined) {
      const refused = attributeRefusal(ctx, [check]);
      if (refused) return refused;
      continue;
    }
    if (letter === "N") {
      const verdict = verifyJobName(value);
      if (verdict === "too-long") {
        return fail(2, `${ctx.command}: Reservation name is too long \n`);
      }
      if (verdict === "illegal") return usageError(ctx, "illegal -N value");
      continue;
    }
    const ok = letter === "m"
      ? value === "n" || /^[abec]+$/.test(value)
      : isAtList(value, letter !== "M", false);
    if (!ok) return usageError(ctx, `illegal -${letter} value`);
  }
  return undefined;
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

/**
 * pbs_rstat (`src/cmds/pbs_rstat.c` `main`): -f/-F full, -B names, -S the
 * table, the last given winning; a bad option prints the usage, exit 1. An
 * id `get_server` cannot read is `illegally formed reservation identifier`
 * (exit 1, the others still shown); an unknown one is reported without its
 * id and does not change the exit status.
 */
export function pbsRstat(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "fFBS");
  if (!parsed.ok) return usageError(ctx, parsed.message, 1);
  connect(ctx);
  const { complex } = ctx;

  let stderr = "";
  let reservations: SimReservation[] = complex.reservations();
  let code = 0;
  if (parsed.operands.length) {
    reservations = [];
    for (const raw of parsed.operands) {
      const id = completeResvId(raw, ctx);
      if (id === undefined) {
        stderr += `pbs_rstat: illegally formed reservation identifier: ${raw}\n`;
        code = 1;
        continue;
      }
      try {
        reservations.push(complex.findReservation(id));
      } catch (error) {
        if (!(error instanceof SimError)) throw error;
        // pbs_rstat reports an unknown id without naming it, and exits 0.
        stderr += `pbs_rstat: ${pbsMessage(error.errno)}\n`;
      }
    }
  }
  const how = parsed.options.at(-1)?.letter ?? "S";
  const full = how === "f" || how === "F";
  let stdout: string;
  if (how === "B") stdout = reservations.map((r) => `Resv ID: ${r.id}\n`).join("");
  else if (full) {
    stdout = reservations.map((r) => fullText(r.id, complex.reservationAttributes(r))).join("");
  } else {stdout = reservationTable(reservations.map((r) =>
      tableRow(r, complex.reservationAttributes(r), complex.now())
    ));}
  return { stdout, stderr, code };
}

/** `R12` → `R12.vm`; undefined when malformed or naming another server (`get_server`). */
function completeResvId(raw: string, ctx: CommandContext): string | undefined {
  const parts = parseReservationId(raw);
  if (!parts) return undefined;
  const { name, host } = ctx.complex.server;
  for (const server of [parts.parentServer, parts.currentServer]) {
    if (server !== undefined && server.split(".")[0] !== name && server !== host) return undefined;
  }
  return `${parts.sequence}.${name}`;
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

/**
 * `pbs_ralter [-R start] [-E end] [-D duration] ID` → `pbs_ralter: R44.vm CONFIRMED`.
 * Its own rules (`src/cmds/pbs_ralter.c` `process_opts`, `main`): `-R`/`-E`
 * dates, `-I` an integer, `-q @server`, `-l select=...` only, `-W force`
 * only and then with -R, -E or -D; each complaint, then the usage, exit 2,
 * as for anything but one reservation id. After connecting: a malformed id
 * (exit 2), then the library's checks (`handle_attribute_errors`): -D a
 * duration, -N a name, -m a/b/e/c or n, -M a mail list (`illegal -X value`
 * + usage, exit 2).
 */
export function pbsRalter(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "E:I:m:M:N:R:q:U:G:D:l:W:");
  if (!parsed.ok) return usageError(ctx, parsed.message);
  const now = ctx.complex.now();
  let complaints = "";
  let start: number | undefined;
  let end: number | undefined;
  let durationText: string | undefined;
  let force = false;
  const checks: AttrCheck[] = [];
  for (const { letter, arg = "" } of parsed.options) {
    switch (letter) {
      case "R":
      case "E": {
        const when = parsePbsDate(arg, now);
        if (when === undefined) complaints += `pbs_ralter: illegal -${letter} time value\n`;
        else if (letter === "R") start = when;
        else end = when;
        break;
      }
      case "I":
        if (!/^\s*[+-]?(0x[0-9a-f]+|\d+)$/i.test(arg) && arg !== "") {
          complaints += "pbs_ralter: illegal -I time value\n";
        }
        break;
      case "q":
        if (!arg.startsWith("@")) complaints += `pbs_ralter: illegal -q value: format "@server"\n`;
        break;
      case "l":
        if (!arg.startsWith("select=")) complaints += "pbs_ralter -l only allows for select\n";
        break;
      case "W":
        if (arg === "force") force = true;
        else complaints += "pbs_ralter: illegal -W value\n";
        break;
      case "D":
        durationText = arg;
        break;
      case "N":
      case "m":
      case "M":
        checks.push({ letter, value: arg });
        break;
    }
  }
  if (force && start === undefined && end === undefined && durationText === undefined) {
    complaints += "pbs_ralter: No support for requested service\n";
  }
  if (complaints || parsed.operands.length !== 1) {
    return fail(2, complaints + USAGE.pbs_ralter);
  }
  connect(ctx);
  const id = completeResvId(parsed.operands[0], ctx);
  if (id === undefined) {
    return fail(2, `pbs_ralter: illegally formed reservation identifier: ${parsed.operands[0]}\n`);
  }
  const duration = durationText === undefined ? undefined : parseDuration(durationText);
  if (durationText !== undefined && duration === undefined) {
    return usageError(ctx, "illegal -D value");
  }
  const refused = reservationRefusal(ctx, checks);
  if (refused) return refused;
  try {
    const outcome = ctx.complex.alterReservation(ctx.caller, id, { start, end, duration });
    return ok(`pbs_ralter: ${id} ${outcome}\n`);
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    return fail(exitCodeOf(error.errno), `pbs_ralter: ${serverMessage(error)}\n`);
  }
}

// pbs_rdel -------------------------------------------------------------------------

/**
 * pbs_rdel (`src/cmds/pbs_rdel.c` `main`): `-q DEST` not empty (`illegal -q
 * value`), at least one id, else the usage, exit 2. Per id: a malformed one
 * is `illegally formed reservation identifier` (exit 1), a refused one the
 * server's message and id; the last failure's status is the exit status.
 */
export function pbsRdel(ctx: CommandContext): CommandOutput {
  const version = versionOutput(ctx);
  if (version) return version;
  const parsed = getopt(ctx.args, "q:");
  if (!parsed.ok) return usageError(ctx, parsed.message);
  const emptyQ = parsed.options.filter((o) => o.letter === "q" && o.arg === "");
  if (emptyQ.length || parsed.operands.length === 0) {
    return fail(2, "pbs_rdel: illegal -q value\n".repeat(emptyQ.length) + USAGE.pbs_rdel);
  }
  let stderr = "";
  let code = 0;
  for (const raw of parsed.operands) {
    const id = completeResvId(raw, ctx);
    if (id === undefined) {
      stderr += `pbs_rdel: illegally formed reservation identifier: ${raw}\n`;
      code = 1;
      continue;
    }
    connect(ctx);
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
