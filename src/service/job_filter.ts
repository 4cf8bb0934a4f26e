/**
 * Filtering job lists the way users ask: by state letters or words, by user
 * (`me` is the caller), by queue.
 */
import { invalidInput } from "../pbs/errors.ts";
import { isJobStateLetter } from "../pbs/model/states.ts";
import type { JobListFilter } from "./requests.ts";

/** Words users say for states, mapped to PBS letters (a Map: user text is looked up in it). */
const STATE_WORDS: ReadonlyMap<string, string> = new Map([
  ["running", "R"],
  ["queued", "Q"],
  ["pending", "QHWT"],
  ["held", "H"],
  ["waiting", "W"],
  ["exiting", "E"],
  ["finished", "FX"],
  ["completed", "FX"],
  ["suspended", "SU"],
  ["array", "B"],
  ["begun", "B"],
  ["moving", "M"],
  ["transit", "T"],
]);

/** `all`/empty → undefined (no filter); `R`, `QH`, `running,held` → a set of letters. */
export function parseStateFilter(text: string | undefined): Set<string> | undefined {
  if (text === undefined || text.trim() === "" || text.trim().toLowerCase() === "all") {
    return undefined;
  }
  const letters = new Set<string>();
  for (const part of text.split(/[\s,]+/).filter((p) => p !== "")) {
    const word = STATE_WORDS.get(part.toLowerCase());
    if (word) {
      for (const l of word) letters.add(l);
      continue;
    }
    const upper = part.toUpperCase();
    // A word like "queue" is not the letters Q, U, E: letters never repeat in a real filter.
    const repeats = new Set(upper).size !== upper.length;
    for (const ch of upper) {
      if (repeats || !isJobStateLetter(ch)) {
        throw invalidInput(
          `state filter ${quoted(text)} has an unknown state ${quoted(part)}`,
          `Use PBS letters (Q, H, W, R, E, F, S, B, X, T, M, U, e.g. "QH") or words (${
            [...STATE_WORDS.keys()].join(", ")
          }), or "all".`,
        );
      }
      letters.add(ch);
    }
  }
  return letters;
}

/** User text inside a message: quoted and cut short. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/** The fields a listing needs to be filtered, shared by full jobs and table rows. */
interface Listed {
  state: string;
  user: string;
  queue: string;
}

/** `me` → the caller; anything else as given. */
export function resolveUser(user: string | undefined, caller: string): string | undefined {
  return user === "me" ? caller : user;
}

export function filterJobs<T extends Listed>(
  jobs: T[],
  filter: JobListFilter,
  caller: string,
): T[] {
  const states = parseStateFilter(filter.states);
  const user = resolveUser(filter.user, caller);
  const wantsFinished = filter.includeFinished || (states && (states.has("F") || states.has("X")));
  return jobs.filter((job) =>
    (states === undefined || states.has(job.state)) &&
    (user === undefined || job.user === user) &&
    (filter.queue === undefined || job.queue === filter.queue) &&
    (wantsFinished || (job.state !== "F" && job.state !== "X"))
  );
}
