/**
 * Advance reservations: pbs_rsub (create), pbs_ralter (change), pbs_rstat
 * (status, text only), pbs_rdel (delete). Standing reservations (`-r`) are not built here: they
 * need PBS_TZID in the environment (golden pbs_rsub_err_standing_no_tzid).
 */

import { invalidInput } from "../errors.ts";
import {
  validateDateTime,
  validateJobName,
  validatePlace,
  validateReservationId,
  validateSelect,
  validateUserList,
  validateWalltime,
} from "../validate.ts";
import { opt, type PbsCommand } from "./command.ts";

/** A reservation request: `start` and exactly one of `end` and `duration`. */
export interface PbsRsubOptions {
  /** `-R`: start (ISO 8601, PBS `[[[[CC]YY]MM]DD]hhmm[.SS]`, or Date). */
  start: string | Date;
  /** `-E`: end; replaces `duration`. */
  end?: string | Date;
  /** `-D`: duration (`HH:MM:SS`, `MM:SS`, seconds); replaces `end`. */
  duration?: string | number;
  /** `-l select=`: what to reserve, e.g. `2:ncpus=8`. */
  select?: string;
  /** `-l place=`. */
  place?: string;
  /** `-N`: reservation name (job-name rules). */
  name?: string;
  /** `-U`: users allowed to submit into it, `user[@host]`. */
  users?: string | readonly string[];
}

/** `pbs_rsub -R START (-E END | -D DURATION) [-l select=] [-l place=] [-N] [-U]`. */
export function pbsRsub(options: PbsRsubOptions): PbsCommand {
  if ((options.end === undefined) === (options.duration === undefined)) {
    throw invalidInput(
      "A reservation needs exactly one of end and duration.",
      'Use e.g. {"start": "2026-11-24T15:00", "duration": "01:00:00"}.',
    );
  }
  return {
    argv: [
      "pbs_rsub",
      "-R",
      validateDateTime(options.start, "Reservation start"),
      ...opt("-E", options.end, (v) => validateDateTime(v, "Reservation end")),
      ...opt("-D", options.duration, (v) => validateWalltime(v, "Duration")),
      ...opt("-l", options.select, (v) => `select=${validateSelect(v)}`),
      ...opt("-l", options.place, (v) => `place=${validatePlace(v)}`),
      ...opt("-N", options.name, (v) => validateJobName(v, "Reservation name")),
      ...opt("-U", options.users, validateUserList),
    ],
  };
}

/**
 * What pbs_ralter may change; at least one field. `end` and `duration` are
 * alternatives, as for pbs_rsub.
 */
export type PbsRalterOptions = Partial<Omit<PbsRsubOptions, "place">>;

/** `pbs_ralter [-R START] [-E END | -D DURATION] [-l select=] [-N NAME] [-U USERS] ID`. */
export function pbsRalter(id: string, options: PbsRalterOptions): PbsCommand {
  if (options.end !== undefined && options.duration !== undefined) {
    throw invalidInput(
      "Give end or duration, not both.",
      'Use e.g. {"end": "2026-11-24T17:00"} or {"duration": "02:00:00"}.',
    );
  }
  const changes = [
    ...opt("-R", options.start, (v) => validateDateTime(v, "Reservation start")),
    ...opt("-E", options.end, (v) => validateDateTime(v, "Reservation end")),
    ...opt("-D", options.duration, (v) => validateWalltime(v, "Duration")),
    ...opt("-l", options.select, (v) => `select=${validateSelect(v)}`),
    ...opt("-N", options.name, (v) => validateJobName(v, "Reservation name")),
    ...opt("-U", options.users, validateUserList),
  ];
  if (changes.length === 0) {
    throw invalidInput(
      "pbs_ralter was given nothing to change.",
      "Set start, end, duration, select, name or users.",
    );
  }
  return { argv: ["pbs_ralter", ...changes, validateReservationId(id)] };
}

/** `pbs_rstat -f [ID]`: full status of all reservations or one (unknown id: exit 0 + stderr). */
export function pbsRstat(id?: string): PbsCommand {
  return { argv: ["pbs_rstat", "-f", ...(id === undefined ? [] : [validateReservationId(id)])] };
}

/** `pbs_rdel ID...`. */
export function pbsRdel(ids: string | readonly string[]): PbsCommand {
  const list: unknown[] = Array.isArray(ids) ? [...ids] : [ids];
  if (list.length === 0) {
    throw invalidInput("No reservation id was given.", "Give at least one, e.g. R123.pbs01.");
  }
  return { argv: ["pbs_rdel", ...list.map(validateReservationId)] };
}
