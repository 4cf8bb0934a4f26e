/**
 * A job record's run texts — `exec_vnode`, `exec_host` and the comment — are
 * accessors on the prototype every job record shares, over own backing fields
 * (`execVnodeText`, ...). A fabricated history run (fabricate.ts) renders each
 * on first read instead: the aurora scenario's 18,000 history jobs would
 * otherwise build tens of MB of vnode text at start-up that most sessions never
 * show. Once read or written, such a record's text is a plain own value.
 *
 * Accessors on one shared prototype keep every record in one fast object
 * shape; redefining the three properties on each history record instead (as
 * before) turned 18,000 records into dictionaries (~3 KB each), most of what
 * the garbage collector copied during a build.
 */
import type { JobRecord } from "../job_record.ts";

export type RunTextName = "execVnode" | "execHost" | "comment";

/** A fabricated run's texts, rendered on demand. */
export interface PendingRunTexts {
  render(name: RunTextName): string;
}

const RUN_TEXTS: ReadonlyArray<
  { name: RunTextName; backing: "execVnodeText" | "execHostText" | "commentText" }
> = [
  { name: "execVnode", backing: "execVnodeText" },
  { name: "execHost", backing: "execHostText" },
  { name: "comment", backing: "commentText" },
];

/** A fabricated record's text becomes an own data property (shadowing the accessor). */
function settle(record: JobRecord, name: RunTextName, value: string | undefined): void {
  Object.defineProperty(record, name, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

const JOB_RECORD_PROTOTYPE: object = Object.create(Object.prototype);
for (const { name, backing } of RUN_TEXTS) {
  Object.defineProperty(JOB_RECORD_PROTOTYPE, name, {
    enumerable: true,
    get(this: JobRecord): string | undefined {
      const pending = this.pendingRunTexts;
      if (pending === undefined) return this[backing];
      const value = pending.render(name);
      settle(this, name, value);
      return value;
    },
    set(this: JobRecord, value: string | undefined) {
      if (this.pendingRunTexts === undefined) this[backing] = value;
      else settle(this, name, value);
    },
  });
}

/** Makes a freshly built record object a job record: one shared shape per literal. */
export function asJobRecord<T extends object>(fields: T): T {
  return Object.setPrototypeOf(fields, JOB_RECORD_PROTOTYPE);
}
