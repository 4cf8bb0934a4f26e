/**
 * Closed parameter objects: a tool's arguments (and the items of list
 * arguments such as submit_batch_jobs' jobs) accept only the names they
 * declare. Zod's default would silently drop an unknown name, so a misspelt
 * filter (`list_jobs {user: "me"}`) would widen the answer instead of failing;
 * here it is an error that names the parameter and the closest real one, and
 * the listed JSON Schema says `additionalProperties: false`.
 */
import { z } from "zod";

/** A strict object over `shape` whose unknown-name error suggests the closest declared name. */
export function closedObject<S extends z.ZodRawShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? unknownParameters(issue.keys, known) : undefined,
  });
}

/** "unknown parameter user; did you mean user_filter?" (one sentence per unknown name). */
export function unknownParameters(unknown: readonly string[], known: readonly string[]): string {
  return unknown.map((name) => {
    const closest = closestName(name, known);
    return closest
      ? `unknown parameter ${name}; did you mean ${closest}?`
      : `unknown parameter ${name}; the parameters are ${known.join(", ") || "none"}.`;
  }).join(" ");
}

/**
 * The declared name `name` most likely stands for: one that shares a word
 * with it (`user` → `user_filter`, `states` → `state_filter`), else one a few
 * typos away (`job_ids` → `job_id`); undefined when nothing is close.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  let best: { name: string; score: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    const related = sharesWord(wanted, candidate.toLowerCase());
    if (!related && distance > Math.max(2, Math.floor(wanted.length / 3))) continue;
    const score = distance - (related ? 100 : 0);
    if (!best || score < best.score) best = { name: candidate, score };
  }
  return best?.name;
}

/** Two snake_case names share a word when a word of one starts the other's (3+ letters). */
function sharesWord(a: string, b: string): boolean {
  const words = (text: string) => text.split(/[_\W]+/).filter((w) => w.length >= 3);
  return words(a).some((x) => words(b).some((y) => x.startsWith(y) || y.startsWith(x)));
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
