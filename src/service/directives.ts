/**
 * `#PBS` directives inside a job script.
 *
 * qsub reads them itself and lets command-line options win, so submissions
 * keep working unchanged; we only read them to tell the user which of their
 * directives an explicit parameter replaced (and to leave a script's own
 * `#PBS -A` alone when no account was asked for).
 */
import type { DirectiveReport } from "./results.ts";
import type { ExplicitOptions } from "./submit_parameters.ts";

export type { ExplicitOptions };

export interface Directive {
  option: string;
  value: string;
}

/** qsub options that take no value (everything else takes one). */
const FLAGS = new Set(["-f", "-h", "-I", "-V", "-X", "-z"]);

/** Splits a directive's text into words the way a shell would (quotes group, are removed). */
function words(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The option/value pairs on one directive line (`-l a=1 -l b=2`, `-lwalltime=1:00:00`, `-h`). */
function directivesOnLine(text: string): Directive[] {
  const found: Directive[] = [];
  const tokens = words(text);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!/^-\w/.test(token)) continue;
    const option = token.slice(0, 2);
    if (FLAGS.has(option)) found.push({ option, value: "" });
    else if (token.length > 2) found.push({ option, value: token.slice(2) });
    else if (i + 1 < tokens.length) found.push({ option, value: tokens[++i] });
  }
  return found;
}

/**
 * Directives qsub would honour: `#PBS` lines before the first command line
 * (qsub stops reading directives at the first line that is not blank or a comment).
 */
export function parseDirectives(script: string): Directive[] {
  const directives: Directive[] = [];
  for (const raw of script.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#!")) continue;
    if (!line.startsWith("#")) break;
    const match = /^#PBS\s+(.*)$/.exec(line);
    if (match) directives.push(...directivesOnLine(match[1]));
  }
  return directives;
}

/** The keys a value sets: resource names for `-l a=1,b=2`, keywords for `-W depend=...`. */
function keysOf(value: string): string[] {
  return value.split(",").map((part) => part.split("=")[0].trim()).filter((n) => n !== "");
}

/** Options whose values are `key=value` lists, overridden key by key. */
const KEYED = new Set(["-l", "-W"]);

/**
 * Marks each directive an explicit parameter overrides. Options with keyed
 * values (`-l`, `-W`) are overridden per key: an explicit walltime does not
 * override a `#PBS -l select=...`.
 */
export function reportDirectives(
  directives: Directive[],
  explicit: ExplicitOptions,
): DirectiveReport[] {
  return directives.map((d) => {
    const hit = explicit.get(d.option);
    if (!hit) return { ...d };
    if (!KEYED.has(d.option)) return { ...d, overriddenBy: hit.parameter };
    const overriding = keysOf(d.value).map((key) => hit.keys?.get(key)).find((p) => p);
    return overriding ? { ...d, overriddenBy: overriding } : { ...d };
  });
}

/**
 * The `-l` resources the directives request (`-l a=1,b=2` sets both; a later
 * directive wins, as in qsub), by name.
 */
export function directiveResources(directives: readonly Directive[]): Record<string, string> {
  const resources: Record<string, string> = {};
  for (const d of directives.filter((d) => d.option === "-l")) {
    for (const part of d.value.split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) resources[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return resources;
}

/** The value of the last directive for `option` (`-q`, `-A`), if any. */
export function directiveValue(directives: readonly Directive[], option: string) {
  return directives.findLast((d) => d.option === option)?.value;
}
