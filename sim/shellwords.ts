/**
 * POSIX-shell-like word splitting (no expansion): single quotes keep text
 * literally, double quotes allow `\"` and `\\`, a backslash outside quotes
 * escapes the next character. Used for `#PBS` directive lines and the replay
 * tool's command lines.
 */

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShellSyntaxError";
  }
}

/** Splits `line` into words; throws ShellSyntaxError on an unterminated quote. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("unterminated single quote");
      current += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const [text, next] = readDoubleQuoted(line, i + 1);
      current += text;
      inWord = true;
      i = next;
    } else if (c === "\\" && i + 1 < line.length) {
      current += line[i + 1];
      inWord = true;
      i += 2;
    } else if (c === " " || c === "\t") {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
      i++;
    } else {
      current += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function readDoubleQuoted(line: string, from: number): [string, number] {
  let text = "";
  let i = from;
  while (i < line.length) {
    const c = line[i];
    if (c === '"') return [text, i + 1];
    if (c === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) {
      text += line[i + 1];
      i += 2;
      continue;
    }
    text += c;
    i++;
  }
  throw new ShellSyntaxError("unterminated double quote");
}
