/**
 * What the reservation tools and resources show of reservations: a view whose
 * long lists (nodes, authorised users) are cut and counted, a row and a page.
 */
import { z } from "zod";
import { compressHostList, execVnodes } from "../../pbs/model/exec_host.ts";
import { describeReservationState } from "../../pbs/model/states.ts";
import { formatDuration } from "../../pbs/model/time.ts";
import type { Reservation } from "../../pbs/model/types.ts";
import { isoTime } from "./jobs.ts";
import { asText, cappedList, cut, defined, MAX_USERS } from "./values.ts";

/** Longest compressed host list shown for a reservation. */
const MAX_HOSTS_CHARS = 200;

export const ReservationViewShape = z.object({
  id: z.string(),
  name: z.string().optional(),
  owner: z.string(),
  state: z.string(),
  state_meaning: z.string().optional(),
  start: z.string().optional().describe("ISO 8601, UTC"),
  end: z.string().optional(),
  duration: z.string().optional(),
  queue: z.string().optional(),
  select: z.string().optional(),
  nodes: z.object({ count: z.number(), hosts: z.string() }).optional(),
  users: z.array(z.string()).optional(),
  recurrence: z.string().optional(),
});
export type ReservationView = z.infer<typeof ReservationViewShape>;

export function reservationView(resv: Reservation): ReservationView {
  const vnodes = resv.nodes ? execVnodes(resv.nodes) : [];
  const users = cappedList(resv.authorizedUsers, MAX_USERS);
  return defined({
    id: resv.id,
    name: resv.name,
    owner: resv.owner,
    state: resv.state,
    state_meaning: describeReservationState(resv.state)?.meaning,
    start: isoTime(resv.start),
    end: isoTime(resv.end),
    duration: resv.duration !== undefined ? formatDuration(resv.duration) : undefined,
    queue: resv.queue,
    select: asText(resv.requested.select),
    nodes: vnodes.length
      ? { count: vnodes.length, hosts: cut(compressHostList(vnodes), MAX_HOSTS_CHARS) }
      : undefined,
    users: users.items.length
      ? [...users.items, ...(users.more ? [`… ${users.more} more`] : [])]
      : undefined,
    recurrence: resv.rrule,
  });
}

/**
 * One line per reservation:
 * `R12.vm "train" (alice) RESV_CONFIRMED 2026-…Z → 2026-…Z; queue R12; select 2:ncpus=8; 2 node(s): n[1-2]; users alice, bob`.
 */
export function reservationLine(view: ReservationView): string {
  const when = view.start ? ` ${view.start} → ${view.end ?? "?"}` : "";
  const parts = [
    view.queue ? `queue ${view.queue}` : undefined,
    view.select ? `select ${view.select}` : undefined,
    view.nodes ? `${view.nodes.count} node(s): ${view.nodes.hosts}` : undefined,
    view.users ? `users ${view.users.join(", ")}` : undefined,
    view.recurrence ? `recurs ${view.recurrence}` : undefined,
  ].filter((p) => p !== undefined);
  return `${view.id}${view.name ? ` "${view.name}"` : ""} (${view.owner}) ${view.state}${when}${
    parts.map((p) => `; ${p}`).join("")
  }`;
}

export function reservationMarkdown(view: ReservationView): string {
  const lines = [`# Reservation ${view.id}${view.name ? ` (${view.name})` : ""}`, ""];
  for (const [key, value] of Object.entries(view)) {
    if (key === "id" || key === "name") continue;
    const text = typeof value === "object" && value !== null && !Array.isArray(value)
      ? `${(value as { count: number }).count}: ${(value as { hosts: string }).hosts}`
      : Array.isArray(value)
      ? value.join(", ")
      : String(value);
    lines.push(`- ${key}: ${text}`);
  }
  return lines.join("\n");
}

/** The user part of `alice@host`. */
export function userOf(owner: string): string {
  return owner.split("@")[0];
}
