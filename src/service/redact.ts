/**
 * Secret redaction: values that look like credentials never reach the logs or
 * the audit file, and are masked in tool answers unless the caller asks to see
 * them (`reveal_secrets: true`).
 *
 * Two signals, each cheap and explainable:
 * - a *name* that says "secret" (`GITHUB_TOKEN=…`, `--password …`,
 *   `api_key: …`): the value next to it is masked whatever it looks like;
 * - a *value* in a well-known credential format (PEM private keys, bearer
 *   tokens, AWS/GitHub/Slack/OpenAI-style keys, URL user:password@): masked
 *   wherever it appears.
 *
 * False positives cost a `reveal_secrets: true`; false negatives leak, so the
 * name rule is deliberately broad.
 */

export const MASK = "[REDACTED]";

/**
 * Names whose values are secrets, case-insensitively. `PWD` (a directory) and
 * `AUTHOR` are not; `DB_PASSWORD`, `GITHUB_TOKEN`, `api-key`, `SSH_KEY` are.
 */
const SECRET_NAMES: RegExp[] = [
  /passw(or)?d|passphrase/i,
  /secret/i,
  /token/i,
  /credential/i,
  /cookie/i,
  /(api|access|private|secret|session|signing)[_.-]?key/i,
  /[_.-]key$/i,
  /(^|[^a-z])auth([^a-z]|$)|authorization/i,
];

/** Is this variable, option or field name one whose value is a secret? */
export function isSecretName(name: string): boolean {
  return SECRET_NAMES.some((pattern) => pattern.test(name));
}

/** Credential formats recognised by their value alone. */
const SECRET_VALUES: RegExp[] = [
  // PEM private keys (the whole block, however long).
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // HTTP authorization values.
  /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{12,}/gi,
  // AWS access key ids.
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g,
  // GitHub tokens (classic and fine-grained).
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{30,}\b/g,
  // Slack tokens.
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  // "sk-" style API keys (OpenAI, Anthropic, Stripe, ...).
  /\bsk-[A-Za-z0-9_-]{20,}\b/g,
  // JSON Web Tokens.
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];

/** `user:password@` inside a URL: the password part is masked. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;

/**
 * `NAME=value`, `NAME: value`, `--name value`, `--name=value` where NAME is a
 * secret name. The value runs to the next whitespace or separator (`,` `;`
 * `&` and quotes), the way environment lists, command lines and query
 * strings end a value.
 */
const NAME_THEN_SEPARATOR = /([A-Za-z_][A-Za-z0-9_.-]*)(\s*[=:]\s*|\s+)/g;
const VALUE = /(["']?)([^\s,;&"']+)\1/y;

function maskNamedValues(text: string): string {
  let out = "";
  let copied = 0;
  NAME_THEN_SEPARATOR.lastIndex = 0;
  for (let m = NAME_THEN_SEPARATOR.exec(text); m; m = NAME_THEN_SEPARATOR.exec(text)) {
    const [, name, separator] = m;
    // `TOKEN=abc` and `--token abc` are assignments; in `token expired` (prose)
    // a bare space separates words, so it counts only after an option's dash.
    const assigns = /[=:]/.test(separator) || text[m.index - 1] === "-";
    const valueAt = m.index + m[0].length;
    VALUE.lastIndex = valueAt;
    const value = assigns && isSecretName(name) ? VALUE.exec(text) : null;
    if (!value || value[2] === MASK) {
      // Only the name is consumed: the next word may be a name itself.
      NAME_THEN_SEPARATOR.lastIndex = m.index + name.length;
      continue;
    }
    const quote = value[1];
    out += text.slice(copied, valueAt) + quote + MASK + quote;
    copied = valueAt + value[0].length;
    NAME_THEN_SEPARATOR.lastIndex = copied;
  }
  return out + text.slice(copied);
}

/** Masks every secret found in free text (job output, PBS messages, argv elements). */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_VALUES) out = out.replace(pattern, MASK);
  out = out.replace(URL_PASSWORD, `$1${MASK}@`);
  return maskNamedValues(out);
}

/**
 * An argv (a PBS command line or a program's arguments) with secrets masked;
 * in the option form `--password hunter2` the word after the option goes.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let maskNext = false;
  for (const arg of argv) {
    if (maskNext) {
      out.push(MASK);
      maskNext = false;
      continue;
    }
    const option = /^--?([A-Za-z][A-Za-z0-9_-]*)$/.exec(arg);
    if (option && isSecretName(option[1])) maskNext = true;
    out.push(redactText(arg));
  }
  return out;
}

/**
 * A JSON-like value with secrets masked: string leaves go through
 * redactText, and any value under a secret-named key is masked whole.
 * Returns a copy; the input is not changed.
 */
export function redactValue<T>(value: T): T {
  return redactAny(value, 0) as T;
}

const MAX_DEPTH = 64;

function redactAny(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return MASK;
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) {
    // A list of words may be an argv: `["--password", "x"]` masks the word after.
    if (value.every((v) => typeof v === "string")) return redactArgv(value);
    return value.map((v) => redactAny(v, depth + 1));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      // defineProperty: a key named `__proto__` stays a key, never a prototype.
      Object.defineProperty(out, key, {
        value: isSecretName(key) && typeof inner === "string" ? MASK : redactAny(inner, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}
