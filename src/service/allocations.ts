/**
 * Reading an allocation command's table (a site profile's `allocation`): a
 * header line, a line of dashes under each column, one row per allocation
 * (the layout of ALCF's `sbank-list-allocations`). Columns are found by the
 * dashes, so headers and values may hold spaces.
 */
import { PbsError } from "../pbs/errors.ts";

export interface Allocation {
  project: string;
  /** Remaining balance in the profile's unit (negative when overdrawn). */
  balance: number;
  /** The system it is charged on (sbank's Resource). */
  resource?: string;
  /** When it expires (sbank's End). */
  end?: string;
}

export interface AllocationColumns {
  project: string;
  balance: string;
  resource?: string;
  end?: string;
}

/** [start, end) of each run of dashes in the rule line. */
function columnSpans(rule: string): Array<[number, number]> {
  return [...rule.matchAll(/-+/g)].map((m) => [m.index, m.index + m[0].length]);
}

function unreadable(why: string): PbsError {
  return new PbsError({
    kind: "parse_error",
    message: `The allocation command's output could not be read: ${why}.`,
    hint: "Check the site profile's allocation.command and allocation.columns against what " +
      "the command prints on the login node.",
  });
}

export function parseAllocations(text: string, columns: AllocationColumns): Allocation[] {
  const lines = text.split("\n");
  const ruleAt = lines.findIndex((l) => /^\s*-+(\s+-+)*\s*$/.test(l));
  if (ruleAt < 1) return lines.some((l) => l.trim() !== "") ? fail("no header line") : [];
  const spans = columnSpans(lines[ruleAt]);
  // Each column reaches to the next one's start, so wider values are kept whole.
  const cell = (line: string, i: number) =>
    line.slice(spans[i][0], i + 1 < spans.length ? spans[i + 1][0] : undefined).trim();
  const headers = spans.map((_, i) => cell(lines[ruleAt - 1], i));
  const index = (name: string | undefined) => {
    if (name === undefined) return undefined;
    const at = headers.indexOf(name);
    if (at < 0) throw unreadable(`no column "${name}" (columns: ${headers.join(", ")})`);
    return at;
  };
  const project = index(columns.project)!;
  const balance = index(columns.balance)!;
  const resource = index(columns.resource);
  const end = index(columns.end);
  return lines.slice(ruleAt + 1).filter((l) => l.trim() !== "").map((line) => {
    const amount = Number(cell(line, balance).replace(/,/g, ""));
    if (!Number.isFinite(amount)) throw unreadable(`balance "${cell(line, balance)}"`);
    return {
      project: cell(line, project),
      balance: amount,
      ...(resource !== undefined ? { resource: cell(line, resource) } : {}),
      ...(end !== undefined ? { end: cell(line, end) } : {}),
    };
  });
}

function fail(why: string): never {
  throw unreadable(why);
}
