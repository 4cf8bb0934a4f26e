/**
 * Advance reservations: list them, and create, modify or delete one.
 *
 * PBS decides who may do what (a user may delete only their own reservations);
 * this adapter looks the reservation up first so errors can name its owner and
 * the answer can show what was changed.
 */
import { z } from "zod";
import { invalidInput, isPbsError, PbsError } from "../../pbs/errors.ts";
import type { Reservation } from "../../pbs/model/types.ts";
import * as v from "../../pbs/validate.ts";
import type { PbsClient } from "../../service/pbs_client.ts";
import type { ReservationRequest } from "../../service/requests.ts";
import { continuationHint, paginate, PaginationOutput } from "../pagination.ts";
import * as s from "../schemas.ts";
import { defineTool } from "../tool_kit.ts";
import {
  reservationLine,
  type ReservationView,
  reservationView,
  ReservationViewShape,
  userOf,
} from "../views/reservations.ts";

export const reservationId = s.checkedText(
  v.validateReservationId,
  "e.g. R123.server or R123",
);

const dateTime = (what: string) =>
  s.checkedText(
    (value) => v.validateDateTime(value, what),
    "ISO 8601, e.g. 2026-11-24T15:30 (server time) or …Z",
  );

const MAX_LIMIT = 100;

// ---------------------------------------------------------------------------
// list_reservations

export const listReservations = defineTool({
  name: "list_reservations",
  title: "List reservations",
  description: "Lists advance reservations (nodes set aside for a time window): id, name, owner, " +
    "state (RESV_CONFIRMED granted, RESV_RUNNING in its window, RESV_UNCONFIRMED not yet " +
    "granted), start and end (UTC), what it reserves, who may use it. Jobs run in one " +
    "when submitted to its queue (e.g. R123). Paged with limit/cursor.",
  input: {
    user: s.userFilter.optional().describe("Only reservations of this user; me = yours"),
    limit: s.boundedInt("limit", 1, MAX_LIMIT, 50).default(50),
    cursor: z.string().optional(),
  },
  output: {
    reservations: z.array(ReservationViewShape),
    ...PaginationOutput,
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  async run(args, { client }) {
    const user = args.user === "me" ? client.user : args.user;
    const all = await client.reservations();
    const mine = user === undefined ? all : all.filter((r) => userOf(r.owner) === user);
    const page = paginate(mine.map(reservationView), args.limit, args.cursor, { user });
    const lines = page.items.map(reservationLine);
    lines.push(continuationHint(page, "reservations"));
    return {
      structured: {
        reservations: page.items,
        total: page.total,
        returned: page.items.length,
        next_cursor: page.nextCursor,
      },
      text: lines.join("\n"),
    };
  },
});

// ---------------------------------------------------------------------------
// manage_reservation

const ManageInput = {
  action: z.enum(["create", "modify", "delete"], {
    error: 'action must be "create", "modify" or "delete".',
  }),
  reservation_id: reservationId.optional().describe("For modify and delete"),
  start: dateTime("Start").optional(),
  end: dateTime("End").optional().describe("Same format as start"),
  duration: s.walltime.optional().describe("HH:MM:SS, instead of end"),
  select: s.select.optional().describe("What to reserve, e.g. 2:ncpus=64"),
  name: s.jobName.optional(),
  users: z.array(s.checkedText(v.validateUserList)).max(100).optional()
    .describe("Who may submit into it (user or user@host)"),
};
type ManageArgs = z.infer<z.ZodObject<typeof ManageInput>>;

const ManageOutput = {
  action: z.enum(["create", "modify", "delete"]),
  reservation_id: z.string(),
  state: z.string().optional(),
  // The fields are list_reservations' (ReservationViewShape); listed once, there.
  reservation: z.looseObject({}).optional().describe("As list_reservations shows it"),
  message: z.string(),
};
type ManageAnswer = z.infer<z.ZodObject<typeof ManageOutput>>;

export const manageReservation = defineTool({
  name: "manage_reservation",
  title: "Create, modify or delete a reservation",
  description:
    "Creates, modifies or deletes an advance reservation. action=create needs start and " +
    "end or duration; the scheduler confirms it if the nodes are free then, else PBS drops " +
    "it. action=modify takes reservation_id and new times; action=delete takes " +
    "reservation_id and kills the jobs running in it. Only your own unless you are an " +
    "operator or manager.",
  input: ManageInput,
  output: ManageOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  run(args, { client }) {
    switch (args.action) {
      case "create":
        return createReservation(client, args);
      case "modify":
        return modifyReservation(client, args);
      case "delete":
        return deleteReservation(client, args);
    }
  },
});

type Answer = Promise<{ structured: ManageAnswer; text: string }>;

function toRequest(args: ManageArgs): ReservationRequest {
  return {
    start: args.start,
    end: args.end,
    duration: args.duration,
    select: args.select,
    name: args.name,
    users: args.users,
  };
}

/** PBS's `CCYYMMDDhhmm[.SS]` → a sortable number (only for full dates, else undefined). */
function pbsDateKey(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const normal = v.validateDateTime(text, what);
  const [digits, seconds = "00"] = normal.split(".");
  return digits.length === 12 ? Number(`${digits}${seconds}`) : undefined;
}

/** Checks what PBS would reject less clearly: end before start, end and duration together. */
function checkWindow(args: ManageArgs): void {
  if (args.end !== undefined && args.duration !== undefined) {
    throw invalidInput(
      "both end and duration were given",
      "Give one of them: end (a time) or duration (HH:MM:SS).",
    );
  }
  const start = pbsDateKey(args.start, "Start");
  const end = pbsDateKey(args.end, "End");
  if (start !== undefined && end !== undefined && end <= start) {
    throw new PbsError({
      kind: "bad_time",
      message: `the reservation ends (${args.end}) before it starts (${args.start})`,
      hint: "Give an end after the start, or a duration instead of an end.",
    });
  }
}

async function createReservation(client: PbsClient, args: ManageArgs): Answer {
  if (args.reservation_id !== undefined) {
    throw invalidInput(
      "reservation_id is not used by create",
      "Omit reservation_id: PBS assigns the id. To change an existing one use action: modify.",
    );
  }
  if (args.start === undefined || (args.end === undefined && args.duration === undefined)) {
    throw invalidInput(
      "create needs start and one of end or duration",
      'Give e.g. {"action": "create", "start": "2026-11-24T15:00", "duration": "02:00:00", ' +
        '"select": "2:ncpus=8"}.',
    );
  }
  checkWindow(args);
  const created = await client.createReservation(toRequest(args));
  const shown = await lookUp(client, created.id);
  const view = shown ? reservationView(shown) : undefined;
  const state = shown?.state ?? created.state;
  const message = shown
    ? `Reservation ${created.id} created (${state}).${
      state === "RESV_CONFIRMED" || state === "RESV_RUNNING"
        ? ` Submit into it with queue=${shown.queue ?? created.id.split(".")[0]}.`
        : " Wait for it to be confirmed: check list_reservations."
    }`
    : `Reservation ${created.id} was requested (${created.state}) but PBS no longer lists it: the scheduler could not grant it (too large, or the nodes are taken then). Try a smaller select or another time.`;
  return {
    structured: {
      action: "create",
      reservation_id: created.id,
      state,
      reservation: view,
      message,
    },
    text: withLine(message, view),
  };
}

async function modifyReservation(client: PbsClient, args: ManageArgs): Answer {
  const id = requireId(args);
  const request = toRequest(args);
  if (Object.values(request).every((value) => value === undefined)) {
    throw invalidInput(
      "modify needs something to change",
      "Give at least one of start, end, duration, select, name, users.",
    );
  }
  checkWindow(args);
  const before = await client.reservation(id);
  const outcome = await withOwnerHint(
    before,
    client,
    () => client.modifyReservation(before.id, request),
  );
  const after = await lookUp(client, before.id);
  const message = `Reservation ${before.id} modified: PBS says ${outcome}${
    after ? ` (${after.state})` : ""
  }.`;
  return {
    structured: {
      action: "modify",
      reservation_id: before.id,
      state: after?.state,
      reservation: after ? reservationView(after) : undefined,
      message,
    },
    text: withLine(message, after ? reservationView(after) : undefined),
  };
}

async function deleteReservation(client: PbsClient, args: ManageArgs): Answer {
  const id = requireId(args);
  const target = await client.reservation(id);
  await withOwnerHint(target, client, () => client.deleteReservation(target.id));
  const name = target.name ? ` (${target.name})` : "";
  const jobs = target.queue ? `; jobs in its queue ${target.queue} are deleted with it` : "";
  const message = `Reservation ${target.id}${name} deleted${jobs}.`;
  return {
    structured: {
      action: "delete",
      reservation_id: target.id,
      reservation: reservationView(target),
      message,
    },
    text: withLine(message, reservationView(target)),
  };
}

/** The answer's message and, when PBS shows the reservation, its line. */
function withLine(message: string, view: ReservationView | undefined): string {
  return view ? `${message}\n${reservationLine(view)}` : message;
}

function requireId(args: ManageArgs): string {
  if (args.reservation_id === undefined) {
    throw invalidInput(
      `${args.action} needs reservation_id`,
      "Give the id list_reservations shows, e.g. R123.server.",
    );
  }
  return args.reservation_id;
}

/** Re-reads one reservation after a change; undefined when PBS no longer lists it. */
async function lookUp(client: PbsClient, id: string): Promise<Reservation | undefined> {
  try {
    return await client.reservation(id);
  } catch (error) {
    if (isPbsError(error) && error.kind === "unknown_reservation") return undefined;
    throw error;
  }
}

/** PBS says only "Unauthorized Request"; name the owner so the refusal makes sense. */
async function withOwnerHint<T>(
  resv: Reservation,
  client: PbsClient,
  change: () => Promise<T>,
): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (!isPbsError(error) || error.kind !== "permission_denied") throw error;
    const owner = userOf(resv.owner);
    throw new PbsError({
      kind: "permission_denied",
      message: owner === client.user
        ? `PBS refused to change reservation ${resv.id}`
        : `reservation ${resv.id} belongs to ${owner}, not to you (${client.user})`,
      hint: owner === client.user
        ? error.hint
        : `Only ${owner} or a PBS operator/manager can change or delete it; ask them, or check_privileges to see your role.`,
      pbsMessage: error.pbsMessage,
      command: error.command,
      exitCode: error.exitCode,
    });
  }
}
