/**
 * `sbank-list-allocations`: the allocation accounting command of ALCF's
 * systems (sbank, docs.alcf.anl.gov "sbank Allocation Accounting System"),
 * simulated so that a site profile's `allocation` command has something to
 * read. Not part of PBS: it answers whether or not the server is up.
 *
 * The table keeps sbank's column names (Allocation, Suballocation, Start, End,
 * Resource, Project, Jobs, Charged, Balance; balances in node-hours) in a
 * layout of our own: a header line, a line of dashes under each column, one
 * row per allocation. Each caller holds two simulated projects, chosen and
 * sized from the user name so the answer is the same on every run.
 */
import { type CommandOutput, fail, ok } from "../errno.ts";
import type { CommandContext } from "./context.ts";

const PROJECTS = ["CSC249ADSE15", "AstroSim", "ClimateML", "LatticeQCD", "MatSciDFT"];
const HEADERS = [
  "Allocation",
  "Suballocation",
  "Start",
  "End",
  "Resource",
  "Project",
  "Jobs",
  "Charged",
  "Balance",
];
const DAY = 86400;

/** A small stable hash of a text (FNV-1a), for simulated values that never change. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const date = (epoch: number) => new Date(epoch * 1000).toISOString().slice(0, 10);
const hours = (n: number) =>
  n.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** `sbank-list-allocations [-r RESOURCE] [-p PROJECT] [-u USER]`. */
export function sbankListAllocations(ctx: CommandContext): CommandOutput {
  const filters = new Map<string, string>();
  const args = [...ctx.args];
  while (args.length > 0) {
    const flag = args.shift()!;
    const value = args.shift();
    if (!["-r", "-p", "-u"].includes(flag) || value === undefined) {
      return fail(2, `sbank-list-allocations: error: unrecognized arguments: ${flag}\n`);
    }
    filters.set(flag, value);
  }
  const user = filters.get("-u") ?? ctx.caller.user;
  // The system's name as ALCF writes it: polaris-pbs-01 → polaris.
  const resource = ctx.complex.server.name.split("-")[0];
  const now = ctx.complex.now();
  const start = Math.floor(now / DAY) * DAY - 120 * DAY;
  const seed = hashOf(`${user}@${resource}`);
  const rows = [0, 1].map((k) => {
    const project = PROJECTS[(seed + k * 3) % PROJECTS.length];
    const granted = 1000 * (10 + (hashOf(`${project}:${user}`) % 90));
    const charged = (hashOf(`${user}:${project}`) % (granted * 10)) / 10;
    const jobs = hashOf(project + user) % 500;
    return [
      String(6000 + (hashOf(project) % 3000)),
      String(7000 + (hashOf(project + resource) % 3000)),
      date(start),
      date(start + 365 * DAY),
      resource,
      project,
      String(jobs),
      hours(charged),
      hours(granted - charged),
    ];
  }).filter((row) =>
    (!filters.has("-r") || row[4] === filters.get("-r")) &&
    (!filters.has("-p") || row[5] === filters.get("-p"))
  );
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => " " + cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  const table = [
    line(HEADERS),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ].map((l) => l.trimEnd());
  return ok(table.join("\n") + "\n");
}
