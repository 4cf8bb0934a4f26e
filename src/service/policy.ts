/**
 * The policy a server enforces on state-changing calls, built once from the
 * configuration and shared by every session of the process (so a new HTTP
 * session does not get a fresh submission budget).
 */
import { AuditLog } from "./audit.ts";
import type { Config } from "./config.ts";
import type { ConfirmMode } from "./confirm.ts";
import { type Limits, SubmissionRate } from "./limits.ts";

export interface Policy {
  confirm: ConfirmMode;
  audit: AuditLog;
  limits: Limits;
  rate: SubmissionRate;
}

export function policyFromConfig(config: Config, now: () => number = Date.now): Policy {
  return {
    confirm: config.confirm,
    audit: new AuditLog(config.auditLog),
    limits: config.limits,
    rate: new SubmissionRate(config.limits.maxSubmitsPerMinute, now),
  };
}
