/**
 * getopt(3) as PBS's clients use it (GNU flavour): clustered flags (`-fx`),
 * option arguments attached (`-Fjson`) or separate (`-F json`), `--` ends
 * the options, and — unless the option string starts with `+` — options
 * after operands are still recognised (GNU permutes argv).
 */

export interface ParsedOption {
  /** The option letter, `f` for `-f`. */
  letter: string;
  /** Its argument, for letters followed by `:` in the option string. */
  arg?: string;
}

export interface ParsedArgs {
  options: ParsedOption[];
  operands: string[];
}

export type GetoptResult =
  | ({ ok: true } & ParsedArgs)
  | { ok: false; message: string };

/**
 * Parses `args` (argv without the command name) against `optstring`
 * (`"fF:D:"`). On error returns glibc's message, e.g.
 * `invalid option -- 'Z'` or `option requires an argument -- 'F'`.
 */
export function getopt(args: readonly string[], optstring: string): GetoptResult {
  const stopAtOperand = optstring.startsWith("+");
  const spec = parseOptstring(stopAtOperand ? optstring.slice(1) : optstring);
  const options: ParsedOption[] = [];
  const operands: string[] = [];
  let i = 0;
  while (i < args.length) {
    const word = args[i];
    if (word === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      if (stopAtOperand) {
        operands.push(...args.slice(i));
        break;
      }
      operands.push(word);
      i++;
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const letter = word[j];
      const takesArg = spec.get(letter);
      if (takesArg === undefined) return { ok: false, message: `invalid option -- '${letter}'` };
      if (!takesArg) {
        options.push({ letter });
        continue;
      }
      const attached = word.slice(j + 1);
      if (attached) {
        options.push({ letter, arg: attached });
      } else if (i + 1 < args.length) {
        options.push({ letter, arg: args[++i] });
      } else {
        return { ok: false, message: `option requires an argument -- '${letter}'` };
      }
      break;
    }
    i++;
  }
  return { ok: true, options, operands };
}

function parseOptstring(optstring: string): Map<string, boolean> {
  const spec = new Map<string, boolean>();
  for (let i = 0; i < optstring.length; i++) {
    const letter = optstring[i];
    const takesArg = optstring[i + 1] === ":";
    spec.set(letter, takesArg);
    if (takesArg) i++;
  }
  return spec;
}

/** True when `letter` was given at least once. */
export function has(parsed: ParsedArgs, letter: string): boolean {
  return parsed.options.some((o) => o.letter === letter);
}

/** The last argument given to `letter` (later options win, as in PBS). */
export function lastArg(parsed: ParsedArgs, letter: string): string | undefined {
  const found = parsed.options.filter((o) => o.letter === letter);
  return found.length ? found[found.length - 1].arg : undefined;
}

/** Every argument given to a repeatable option (`-l a=1 -l b=2`). */
export function allArgs(parsed: ParsedArgs, letter: string): string[] {
  return parsed.options.filter((o) => o.letter === letter).map((o) => o.arg ?? "");
}
