/**
 * POSIX shell single-quoting, for showing commands and writing scripts: safe
 * for any text, including quotes and newlines. Plain words stay unquoted so
 * the common case reads naturally.
 */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/** argv as it would have to be typed at a shell prompt. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
