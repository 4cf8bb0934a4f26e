/**
 * PBS's date_time argument (`qsub -a`, `pbs_rsub -R/-E`):
 * `[[[[CC]YY]MM]DD]hhmm[.SS]`, in local time. Omitted fields default to the
 * present; a time of day already past (with no day given) means tomorrow, an
 * omitted month/year rolls forward likewise (facts from OpenPBS cvtdate).
 */

/** Epoch seconds for `text` relative to `now`, or undefined when malformed. */
export function parsePbsDate(text: string, now: number): number | undefined {
  const [digits, secondsText] = text.split(".", 2) as [string, string | undefined];
  if (!/^\d+$/.test(digits) || ![4, 6, 8, 10, 12].includes(digits.length)) return undefined;
  if (secondsText !== undefined && !/^\d\d$/.test(secondsText)) return undefined;
  const seconds = secondsText === undefined ? 0 : Number(secondsText);
  if (seconds > 59) return undefined;

  const current = new Date(now * 1000);
  const fields = digits.match(/\d\d/g)!.map(Number);
  const [minute, hour] = [fields.pop()!, fields.pop()!];
  const day = fields.pop();
  const month = fields.pop();
  const yearLow = fields.pop();
  const century = fields.pop();
  if (hour > 23 || minute > 59) return undefined;
  if (day !== undefined && (day < 1 || day > 31)) return undefined;
  if (month !== undefined && (month < 1 || month > 12)) return undefined;

  let year = current.getFullYear();
  if (yearLow !== undefined) {
    year = century !== undefined ? century * 100 + yearLow : (yearLow > 68 ? 1900 : 2000) + yearLow;
  }
  let monthIndex = month === undefined ? current.getMonth() : month - 1;
  if (yearLow === undefined && month !== undefined && month - 1 < current.getMonth()) year++;
  const dayOfMonth = day ?? current.getDate();
  if (month === undefined && day !== undefined && day < current.getDate()) monthIndex++;

  let date = new Date(year, monthIndex, dayOfMonth, hour, minute, seconds);
  if (day === undefined && date.getTime() < current.getTime()) {
    date = new Date(year, monthIndex, dayOfMonth + 1, hour, minute, seconds);
  }
  return Math.floor(date.getTime() / 1000);
}
