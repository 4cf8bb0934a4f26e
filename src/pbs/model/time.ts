/**
 * PBS's textual time, duration and size values, converted to and from numbers.
 *
 * Facts (from OpenPBS 23.06 and the goldens, not its code):
 * - Job times (`ctime`, `qtime`, `stime`, ...) are printed with ctime(3) in the
 *   server's local time: `Tue Nov 24 02:44:29 2026`, day of month space-padded.
 *   Other times (`timestamp`, `last_state_change_time`) are epoch integers.
 * - Durations (`walltime`, `cput`) are `[[HH:]MM:]SS[.fff]`; fields are not
 *   range-limited (`336:00:00`, even `0:90`), at most two colons, and PBS rounds
 *   fractional seconds to the nearest whole second (src/lib/Libattr/attr_fn_time.c).
 * - Sizes are an integer with an optional `k|m|g|t|p` multiplier (powers of
 *   1024) and an optional `b` (bytes) or `w` (words, 8 bytes) unit, all
 *   case-insensitive; a bare integer is bytes (src/lib/Libattr/attr_fn_size.c).
 */

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const CTIME_RE =
  /^([A-Za-z]{3})\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})$/;
const EPOCH_RE = /^\d+(?:\.\d+)?$/;

/**
 * Parses a ctime(3)-style local time (`Tue Nov 24 02:44:29 2026`) or a decimal
 * epoch string (`1764000000`) into epoch seconds. Undefined for anything else,
 * including impossible dates (`Feb 30`). The weekday is not cross-checked: PBS
 * derives it from the date, so it carries no extra information.
 */
export function parsePbsTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH_RE.test(trimmed)) return Number(trimmed);
  const m = CTIME_RE.exec(trimmed);
  if (!m) return undefined;
  const [, weekday, monthName, day, hour, minute, second, year] = m;
  if (!WEEKDAYS.includes(capitalise(weekday))) return undefined;
  const month = MONTHS.indexOf(capitalise(monthName));
  if (month < 0) return undefined;
  const parts = [Number(year), month, Number(day), Number(hour), Number(minute), Number(second)];
  const [y, mo, d, h, mi, s] = parts;
  if (h > 23 || mi > 59 || s > 60) return undefined;
  const date = new Date(y, mo, d, h, mi, s);
  // The Date constructor silently rolls over (Feb 30 → Mar 2); reject instead.
  if (date.getFullYear() !== y || date.getMonth() !== mo || date.getDate() !== d) return undefined;
  return Math.floor(date.getTime() / 1000);
}

/** Formats epoch seconds as PBS does: ctime(3) in local time, `Tue Nov  4 02:44:29 2026`. */
export function formatPbsTime(epochSeconds: number): string {
  const date = new Date(Math.floor(epochSeconds) * 1000);
  const day = String(date.getDate()).padStart(2, " ");
  const clock = [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((n) => String(n).padStart(2, "0"))
    .join(":");
  return `${WEEKDAYS[date.getDay()]} ${
    MONTHS[date.getMonth()]
  } ${day} ${clock} ${date.getFullYear()}`;
}

const DURATION_RE = /^(\d+)(?::(\d+))?(?::(\d+))?(?:\.(\d+))?$/;

/**
 * Parses a PBS duration (`HH:MM:SS`, `MM:SS`, `SS`, optional `.fff`) into whole
 * seconds, rounding fractions as PBS does. Undefined on junk (`abc`, `1:2:3:4`,
 * `1::2`, empty).
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  const fields = [m[1], m[2], m[3]].filter((f) => f !== undefined).map(Number);
  const whole = fields.reduce((total, field) => total * 60 + field, 0);
  const fraction = m[4] === undefined ? 0 : Number(`0.${m[4]}`);
  const seconds = whole + (fraction >= 0.5 ? 1 : 0);
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

/**
 * Formats seconds as `HH:MM:SS` (hours at least two digits, growing past 99:
 * `336:00:00`). Fractions are rounded; negative values get a leading `-` so a
 * bad difference is visible rather than hidden.
 */
export function formatDuration(seconds: number): string {
  const sign = seconds < 0 ? "-" : "";
  const total = Math.round(Math.abs(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${sign}${pad(h)}:${pad(m)}:${pad(s)}`;
}

const SIZE_RE = /^(\d+)([kmgtp])?([bw])?$/i;
const SHIFT: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };
const WORD_BYTES = 8;

/** Parses a PBS size (`7516kb`, `100mb`, `24GB`, `2kw`, `512`) into bytes; undefined on junk. */
export function parseSize(text: string): number | undefined {
  const m = SIZE_RE.exec(text.trim());
  if (!m) return undefined;
  const [, digits, multiplier, unit] = m;
  const scale = 1024 ** (multiplier ? SHIFT[multiplier.toLowerCase()] : 0);
  const unitBytes = unit?.toLowerCase() === "w" ? WORD_BYTES : 1;
  const bytes = Number(digits) * scale * unitBytes;
  return Number.isFinite(bytes) ? bytes : undefined;
}

const UNITS = ["b", "kb", "mb", "gb", "tb", "pb"];

/**
 * Formats bytes PBS-style with the largest unit that divides them exactly
 * (`4gb`, `7516kb`, `1500b`), so the result is a value PBS itself accepts and
 * `parseSize` returns the same number. Fractions are rounded to whole bytes.
 */
export function formatSize(bytes: number): string {
  let value = Math.max(0, Math.round(bytes));
  let unit = 0;
  while (unit < UNITS.length - 1 && value !== 0 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return `${value}${UNITS[unit]}`;
}

/**
 * Formats bytes for people: the largest unit that keeps the number at least 1,
 * with at most one decimal (`23.5gb`). Lossy and not always valid PBS input;
 * use `formatSize` for anything that goes back to PBS.
 */
export function formatSizeApprox(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (unit < UNITS.length - 1 && value >= 1024) {
    value /= 1024;
    unit++;
  }
  const rounded = Math.round(value * 10) / 10;
  return `${rounded}${UNITS[unit]}`;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}
