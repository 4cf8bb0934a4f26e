/**
 * A lenient reader for PBS's `-F json` output.
 *
 * The master build's cJSON writer emits valid JSON, but the released 23.06
 * client does not: numeric-looking values are written raw (`inf`, `nan`,
 * `005`, `1e5`, 30-digit integers), backslashes are not escaped (`"C:\temp"`,
 * `"abc\"`), mangled UTF-8 can leave a stray `"` inside a value, and values
 * from `qsub -V` may carry raw newlines and tabs (BASH_FUNC bodies too).
 *
 * Strategy: `JSON.parse` first, because it is fast and right for valid
 * output; only when it fails, a hand-written tolerant scanner takes over. It
 * walks the document iteratively (an explicit stack, so hostile nesting cannot
 * overflow the call stack), splices fixes into the text where it is broken,
 * and gives the repaired text to `JSON.parse` again.
 *
 * Number behaviour differs between the two paths, by necessity:
 * - fast path (valid JSON): numbers are whatever `JSON.parse` gives (`01234`
 *   cannot occur; `1e5` → 100000; 30-digit integers lose precision).
 * - tolerant path: a bare token becomes a number only when the number prints
 *   back as exactly the same text (`42`, `-7`, `1795488324`); anything that
 *   would lose information (`005`, `.5`, `5.`, `-00`, `1e5`, `3.50`, integers
 *   beyond 2^53, `inf`, `nan`, `0x10`) is kept as its raw text, a string.
 *   `true`/`false`/`null` are the JSON literals.
 *
 * Duplicate keys keep the last value (as `JSON.parse` does). Every failure is
 * a `PbsError` of kind `parse_error`; nothing else is ever thrown.
 */

import { PbsError } from "./errors.ts";

/** Reads one `-F json` document. Text after the first document is ignored. */
export function readPbsJson(text: string): Record<string, unknown> {
  return guarded(text, () => {
    const fast = tryJsonParse(text);
    if (fast !== NOT_JSON) return expectObject(fast, text);
    return new TolerantParser(text).documents(1)[0];
  });
}

/**
 * Reads one or more concatenated `-F json` documents (several qstat calls'
 * output written to one stream). Junk between documents is skipped.
 */
export function readPbsJsonDocuments(text: string): Record<string, unknown>[] {
  return guarded(text, () => {
    const fast = tryJsonParse(text);
    if (fast !== NOT_JSON) return [expectObject(fast, text)];
    const split = trySplitValidDocuments(text);
    if (split) return split;
    return new TolerantParser(text).documents(Infinity);
  });
}

// ---------------------------------------------------------------------------
// Fast paths

const NOT_JSON = Symbol("not JSON");

function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Any failure (syntax, or RangeError on absurd nesting) means: go tolerant.
    return NOT_JSON;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectObject(value: unknown, text: string): Record<string, unknown> {
  if (isPlainObject(value)) return value;
  throw noJsonObject(text);
}

/**
 * PBS starts every document with `{` in column 0 and ends it with `}` alone on
 * a line, so concatenated valid documents can be split there and each handed
 * to `JSON.parse`. Returns undefined when that does not work out.
 */
function trySplitValidDocuments(text: string): Record<string, unknown>[] | undefined {
  const pieces = text.split(/\n\}[ \t\r]*\n(?=\{)/);
  if (pieces.length < 2) return undefined;
  const docs: Record<string, unknown>[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const piece = i < pieces.length - 1 ? pieces[i] + "\n}" : pieces[i];
    const value = tryJsonParse(piece);
    if (!isPlainObject(value)) return undefined;
    docs.push(value);
  }
  return docs;
}

// ---------------------------------------------------------------------------
// Errors

const OUTPUT_SAMPLE_CHARS = 500;

function guarded<T>(text: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof PbsError) throw error;
    // Out-of-memory and friends on hostile input: still a parse error for callers.
    throw malformed(text, -1, `unexpected failure (${String(error)})`);
  }
}

function noJsonObject(text: string): PbsError {
  const sample = text.trim().slice(0, OUTPUT_SAMPLE_CHARS);
  if (sample === "") {
    return new PbsError({
      kind: "parse_error",
      message: "PBS printed nothing where JSON output was expected.",
      hint: "The command most likely failed before writing anything (a usage error such as " +
        "`qstat -F json` without `-f`, or an unreachable server): check its exit code and stderr.",
    });
  }
  return new PbsError({
    kind: "parse_error",
    message: "PBS printed no JSON object where `-F json` output was expected.",
    hint: "PBS probably printed a usage or error text instead: `-F json` needs a full listing " +
      "(`qstat -f -F json`, `qstat -Qf -F json`, `qstat -Bf -F json`, `pbsnodes -a -F json`). " +
      "Check the command line, exit code and stderr.",
    pbsMessage: sample,
  });
}

/**
 * Valid JSON that is not what PBS writes for `-F json` (a section that is not
 * an object, an object entry that is a bare value, a document with neither
 * the section nor PBS's header): never read as an empty or partial answer.
 */
export function wrongShape(text: string, what: string): PbsError {
  return new PbsError({
    kind: "parse_error",
    message: `PBS's -F json output does not have the expected shape: ${what}.`,
    hint: "The PBS command (or a wrapper installed in its place) printed something other than " +
      "OpenPBS JSON; run it by hand and compare with `qstat -f -F json`. Check PBS_EXEC and PATH.",
    pbsMessage: text.trim().slice(0, OUTPUT_SAMPLE_CHARS) || undefined,
  });
}

function malformed(text: string, pos: number, reason: string): PbsError {
  const where = pos >= 0 ? ` at ${lineAndColumn(text, pos)}` : "";
  return new PbsError({
    kind: "parse_error",
    message: `PBS JSON output could not be read: ${reason}${where}.`,
    hint: "The output may have been cut short (output size limit, interrupted command) or " +
      "corrupted. Retry the command; if it keeps failing, query fewer objects or use text output.",
  });
}

function lineAndColumn(text: string, pos: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === NL) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${pos - lineStart + 1}`;
}

// ---------------------------------------------------------------------------
// Tolerant parser
//
// It does not build objects itself: it rewrites each document into valid JSON
// (fixing only what is broken, copying everything else verbatim) and hands
// that to JSON.parse, which builds objects far faster than keyed stores from
// script can, and already keeps the last of duplicate keys and treats
// `__proto__` as an ordinary member.

const TAB = 0x09;
const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** Characters that may follow a backslash in valid JSON (`u` is checked separately). */
const VALID_ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** Where a string sits; decides which following character may end it. */
type StringContext = "key" | "member" | "element";

interface Frame {
  isArray: boolean;
  /** A value was just read: a comma or the closing bracket comes next. */
  afterValue: boolean;
  /** Position of a comma read since the last value (a trailing comma if the bracket follows). */
  commaAt: number;
}

function isWhitespace(c: number): boolean {
  return c === SPACE || c === TAB || c === NL || c === CR;
}

/** A bare token (no quotes) as JSON: literal, lossless number, or its raw text quoted. */
function bareTokenJson(token: string): string {
  if (token === "true" || token === "false" || token === "null") return token;
  const n = Number(token);
  if (token !== "" && Number.isFinite(n) && String(n) === token) return token;
  return JSON.stringify(token);
}

/** A control character as a JSON escape (raw ones are invalid inside JSON strings). */
function controlEscape(c: number): string {
  if (c === NL) return "\\n";
  if (c === TAB) return "\\t";
  if (c === CR) return "\\r";
  return "\\u" + c.toString(16).padStart(4, "0");
}

class TolerantParser {
  private pos = 0;
  /** The repaired document so far: verbatim runs of the input with fixes between them. */
  private out: string[] = [];
  /** Input from here up to the current position is still to be copied verbatim. */
  private copyFrom = 0;

  constructor(private readonly text: string) {}

  /** Reads up to `limit` documents; junk before and between documents is skipped. */
  documents(limit: number): Record<string, unknown>[] {
    const docs: Record<string, unknown>[] = [];
    while (docs.length < limit) {
      const start = this.text.indexOf("{", this.pos);
      if (start < 0) break;
      this.pos = start;
      docs.push(this.document());
    }
    if (docs.length === 0) throw noJsonObject(this.text);
    return docs;
  }

  private fail(reason: string): never {
    throw malformed(this.text, this.pos, reason);
  }

  /** Replaces input [from, to) with `replacement` in the repaired text. */
  private splice(from: number, to: number, replacement: string): void {
    this.out.push(this.text.slice(this.copyFrom, from), replacement);
    this.copyFrom = to;
  }

  private skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    while (pos < text.length && isWhitespace(text.charCodeAt(pos))) pos++;
    this.pos = pos;
  }

  /** Reads the object starting at `pos` (which holds `{`), iteratively, and parses its repair. */
  private document(): Record<string, unknown> {
    const text = this.text;
    this.out = [];
    this.copyFrom = this.pos;
    const stack: Frame[] = [{ isArray: false, afterValue: false, commaAt: -1 }];
    this.pos++;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      this.skipWhitespace();
      if (this.pos >= text.length) this.fail("the output ends inside a JSON document");
      const c = text.charCodeAt(this.pos);
      if (c === (frame.isArray ? RBRACKET : RBRACE)) {
        if (frame.commaAt >= 0) this.splice(frame.commaAt, frame.commaAt + 1, ""); // trailing comma
        this.pos++;
        stack.pop();
        if (stack.length > 0) stack[stack.length - 1].afterValue = true;
        continue;
      }
      if (frame.afterValue) {
        if (c !== COMMA) this.fail(`expected "," or "${frame.isArray ? "]" : "}"}"`);
        frame.commaAt = this.pos++;
        frame.afterValue = false;
        continue;
      }
      frame.commaAt = -1;
      if (!frame.isArray) this.readKey();
      const child = this.readValue(frame);
      if (child) stack.push(child);
    }
    this.out.push(text.slice(this.copyFrom, this.pos));
    const repaired = this.out.length === 1 ? this.out[0] : this.out.join("");
    this.out = [];
    try {
      return JSON.parse(repaired);
    } catch (error) {
      // Cannot happen for well-formed repairs; reported rather than thrown raw.
      throw malformed(this.text, this.pos, `internal repair failed (${String(error)})`);
    }
  }

  private readKey(): void {
    if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail("expected a quoted member name");
    this.readString("key");
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== COLON) this.fail('expected ":" after a member name');
    this.pos++;
    this.skipWhitespace();
  }

  /** Reads a value in `frame`; returns a new frame when the value opens a container. */
  private readValue(frame: Frame): Frame | undefined {
    if (this.pos >= this.text.length) this.fail("the output ends before a value");
    const c = this.text.charCodeAt(this.pos);
    if (c === LBRACE || c === LBRACKET) {
      this.pos++;
      return { isArray: c === LBRACKET, afterValue: false, commaAt: -1 };
    }
    if (c === QUOTE) this.readString(frame.isArray ? "element" : "member");
    else this.readBareToken();
    frame.afterValue = true;
    return undefined;
  }

  /**
   * An unquoted value runs to the next `,` `}` `]` or line end (release
   * clients print `inf`, `005`); it is replaced unless it is already valid.
   */
  private readBareToken(): void {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === COMMA || c === RBRACE || c === RBRACKET || c === NL || c === CR) break;
      pos++;
    }
    this.pos = pos;
    const raw = text.slice(start, pos);
    const token = raw.trim();
    const json = bareTokenJson(token);
    if (json !== raw) this.splice(start, pos, json);
  }

  /**
   * Reads the string starting at the opening quote, repairing it in place:
   * invalid escapes keep their backslash (`\q` → `\q`), raw control
   * characters are escaped, and a `"` only ends the string when what follows
   * fits the context; otherwise it is a stray quote inside the value.
   */
  private readString(context: StringContext): void {
    const text = this.text;
    const length = text.length;
    let pos = this.pos + 1;
    while (true) {
      while (pos < length) {
        const c = text.charCodeAt(pos);
        if (c === QUOTE || c === BACKSLASH || c < SPACE) break;
        pos++;
      }
      if (pos >= length) {
        this.pos = pos;
        this.fail("the output ends inside a string");
      }
      const c = text.charCodeAt(pos);
      if (c === QUOTE) {
        if (this.endsString(pos + 1, context)) {
          this.pos = pos + 1;
          return;
        }
        this.splice(pos, pos + 1, '\\"'); // a stray quote: part of the value
        pos++;
      } else if (c < SPACE) {
        this.splice(pos, pos + 1, controlEscape(c));
        pos++;
      } else {
        const next = text[pos + 1];
        if (next === '"' && context !== "key" && this.endsLineAfterValue(pos + 2)) {
          // Release clients do not escape backslashes: `"C:\",` is a value ending in `\`.
          this.splice(pos, pos + 1, "\\\\");
          this.pos = pos + 2;
          return;
        }
        if (VALID_ESCAPES.has(next)) {
          pos += 2;
        } else if (next === "u" && this.isHex4(pos + 2)) {
          pos += 6;
        } else {
          // Invalid escape or lone backslash: the backslash was literal.
          this.splice(pos, pos + 1, "\\\\");
          pos++;
        }
      }
    }
  }

  private isHex4(pos: number): boolean {
    return /^[0-9a-fA-F]{4}$/.test(this.text.slice(pos, pos + 4));
  }

  /** Can a string end just before `pos`, given where it sits? */
  private endsString(pos: number, context: StringContext): boolean {
    const text = this.text;
    while (pos < text.length && isWhitespace(text.charCodeAt(pos))) pos++;
    if (pos >= text.length) return context !== "key";
    const c = text.charCodeAt(pos);
    if (context === "key") return c === COLON;
    if (c === RBRACE || c === RBRACKET) return true;
    if (c !== COMMA) return false;
    if (context === "element") return true;
    pos++;
    while (pos < text.length && isWhitespace(text.charCodeAt(pos))) pos++;
    const after = text.charCodeAt(pos);
    return pos >= text.length || after === QUOTE || after === RBRACE;
  }

  /**
   * Stricter test used for `\"`: the quote must end a line the way PBS ends a
   * member (`",` + newline + next key, or newline + closing bracket). A valid
   * escaped quote never sits there, because valid strings hold no raw newline.
   */
  private endsLineAfterValue(pos: number): boolean {
    const text = this.text;
    const skipBlanks = () => {
      while (
        pos < text.length && (text.charCodeAt(pos) === SPACE || text.charCodeAt(pos) === TAB)
      ) {
        pos++;
      }
    };
    skipBlanks();
    const hadComma = text.charCodeAt(pos) === COMMA;
    if (hadComma) {
      pos++;
      skipBlanks();
    }
    const c = text.charCodeAt(pos);
    if (c !== NL && c !== CR) return false;
    while (pos < text.length && isWhitespace(text.charCodeAt(pos))) pos++;
    const after = text.charCodeAt(pos);
    return hadComma ? after === QUOTE : after === RBRACE || after === RBRACKET;
  }
}
