/**
 * Parsers for reservation output: `pbs_rstat -f` / `-F` (identical full text),
 * `pbs_rstat -B` (ids only), the default `pbs_rstat` table, and `pbs_rsub`'s
 * one-line answer. pbs_rstat has no JSON output.
 *
 * Facts (OpenPBS 23.06, the goldens, src/cmds/pbs_rstat.c):
 * - Full text: a `Resv ID: R44.vm` line, then unindented `name = value` lines
 *   (`Resource_List.ncpus = 1`), then a blank line. Times (`reserve_start`,
 *   `reserve_end`, `ctime`, `mtime`) are ctime-style local time,
 *   `reserve_duration` is seconds, `reserve_state` is `RESV_CONFIRMED` etc.,
 *   `Reserve_Name = NULL` when no name was given.
 * - The table prints `%-10.10s %-8.8s %-8.8s %-5.5s %17.17s / <secs> / %-17.17s`:
 *   the user is cut to 8 characters (`alice@lo`) and times are relative
 *   (`Today 03:02`), so it is only a summary; use the full form for data.
 * - pbs_rsub prints `R44.vm UNCONFIRMED` (`S51.vm` for standing reservations).
 */

import { PbsError } from "../errors.ts";
import { parsePbsTime } from "../model/time.ts";
import type { Reservation } from "../model/types.ts";
import {
  type FlatAttributes,
  parseInteger,
  resourceMap,
  setDefined,
  splitList,
} from "./attributes.ts";

interface RawReservation {
  id: string;
  attributes: FlatAttributes;
}

/**
 * Splits full text into `Resv ID:` blocks of attributes. A line starting with a
 * TAB continues the previous value (the wrapping PBS's `-f` printers use for
 * long values); any other unrecognised line is kept as an embedded newline.
 */
function readBlocks(text: string): RawReservation[] {
  const blocks: RawReservation[] = [];
  let current: RawReservation | undefined;
  let lastKey: string | undefined;
  for (const line of text.split("\n")) {
    const header = /^Resv ID: (\S+)\s*$/.exec(line);
    const attribute = /^\s*([^\s=]+) = ?(.*)$/.exec(line);
    if (header) {
      current = { id: header[1], attributes: {} };
      blocks.push(current);
      lastKey = undefined;
    } else if (!current || line.trim() === "") {
      lastKey = undefined;
    } else if (line.startsWith("\t") && lastKey !== undefined) {
      current.attributes[lastKey] += line.slice(1);
    } else if (attribute) {
      lastKey = attribute[1];
      current.attributes[lastKey] = attribute[2];
    } else if (lastKey !== undefined) {
      current.attributes[lastKey] += `\n${line}`;
    }
  }
  return blocks;
}

function toReservation({ id, attributes: a }: RawReservation): Reservation {
  const reservation: Reservation = {
    id,
    owner: a["Reserve_Owner"] ?? "",
    state: a["reserve_state"] ?? "",
    requested: resourceMap(a, "Resource_List"),
    authorizedUsers: splitList(a["Authorized_Users"]),
    attributes: a,
  };
  const time = (key: string) => (a[key] === undefined ? undefined : parsePbsTime(a[key]));
  setDefined(reservation, "name", a["Reserve_Name"] === "NULL" ? undefined : a["Reserve_Name"]);
  setDefined(reservation, "substate", parseInteger(a["reserve_substate"]));
  setDefined(reservation, "queue", a["queue"]);
  setDefined(reservation, "start", time("reserve_start"));
  setDefined(reservation, "end", time("reserve_end"));
  setDefined(reservation, "duration", parseInteger(a["reserve_duration"]));
  setDefined(reservation, "nodes", a["resv_nodes"]);
  setDefined(reservation, "rrule", a["reserve_rrule"]);
  return reservation;
}

/**
 * `pbs_rstat -f` / `pbs_rstat -F` text → reservations. Also reads `pbs_rstat -B`
 * (ids only: owner and state are then empty). Empty output → [].
 */
export function parseReservations(text: string): Reservation[] {
  return readBlocks(text).map(toReservation);
}

export interface ReservationSummary {
  id: string;
  queue: string;
  /** Cut to 8 characters by pbs_rstat (`alice@lo`). */
  user: string;
  /** Short state: `CO` confirmed, `RN` running, `UN` unconfirmed, `DE` degraded, ... */
  state: string;
  /** Relative time as printed (`Today 03:02`). */
  start: string;
  /** Seconds. */
  duration: number;
  end: string;
}

const SUMMARY_ROW = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*?)\s+\/\s+(\d+)\s+\/\s+(.*?)\s*$/;

/** The default `pbs_rstat` table → one summary per row (header and rule skipped). */
export function parseReservationSummary(text: string): ReservationSummary[] {
  const rows: ReservationSummary[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("Resv ID") || line.startsWith("---")) continue;
    const m = SUMMARY_ROW.exec(line);
    if (!m) continue;
    rows.push({
      id: m[1],
      queue: m[2],
      user: m[3],
      state: m[4],
      start: m[5],
      duration: Number(m[6]),
      end: m[7],
    });
  }
  return rows;
}

/** `pbs_rsub` stdout (`R44.vm UNCONFIRMED`) → the new id and its state. */
export function parseRsubOutput(text: string): { id: string; state: string } {
  const m = /^([A-Z]\d+\.\S+)\s+([A-Z_]+)$/.exec(text.trim());
  if (!m) {
    throw new PbsError({
      kind: "parse_error",
      message: "pbs_rsub printed no reservation id this server can read",
      hint:
        "pbs_rsub normally prints `R123.server UNCONFIRMED`; check that the PBS clients are OpenPBS 23.x and report the raw output (pbsMessage).",
      pbsMessage: text.length > 500 ? `${text.slice(0, 500)}…` : text,
      command: "pbs_rsub",
    });
  }
  return { id: m[1], state: m[2] };
}
