/**
 * Records keyed by text from outside (a user's select or env names, PBS's
 * attribute and variable names). A plain assignment `record[key] = value`
 * with the key `__proto__` changes the record's prototype instead of storing
 * the value, and a plain lookup of `constructor` finds Object.prototype's:
 * these helpers store and read own properties only.
 */

/** Stores `value` under `key` as an own property, whatever the key. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") {
    Object.defineProperty(record, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    record[key] = value;
  }
}

/** The own property `key`, or undefined (never an inherited one). */
export function getOwn<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
