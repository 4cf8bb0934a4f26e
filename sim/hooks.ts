/**
 * Site queuejob hooks as scenario configuration. A real site writes a Python
 * hook (`qmgr -c 'create hook NAME event=queuejob'` + `import hook`) whose
 * `e.reject(message)` refuses a submission; the simulator runs no Python, so a
 * scenario declares the rule instead.
 *
 * Facts (captures qsub_hook_rejected_no_filesystems, qsub_hook_accepted_filesystems,
 * INDEX.md note 9): qsub prints `qsub: <message>` on stderr and exits 32
 * (PBSE_HOOKERROR 15136 & 0xFF); the rejected submission consumes no job id;
 * an accepted job is unchanged by the hook.
 */

import type { ResourceMap } from "./resources.ts";

export interface QueuejobHook {
  /** The hook's name (`require_fs`), for the scenario's description. */
  name: string;
  /** Job-wide resources the job must request (`-l filesystems=...`). */
  requireResources?: string[];
  /** Queues the rule applies to; all queues when absent. */
  queues?: string[];
  /** The hook's `e.reject()` text, printed verbatim after `qsub: `. */
  message: string;
}

/** What a queuejob hook sees of a submission. */
export interface HookEvent {
  queue: string;
  /** The resources as the user requested them (before queue/server defaults). */
  requested: ResourceMap;
}

/** The first rejecting hook's message, or undefined when every hook accepts. */
export function queuejobRejection(
  hooks: readonly QueuejobHook[],
  event: HookEvent,
): string | undefined {
  for (const hook of hooks) {
    if (hook.queues && !hook.queues.includes(event.queue)) continue;
    const missing = (hook.requireResources ?? []).some((name) =>
      event.requested[name] === undefined
    );
    if (missing) return hook.message;
  }
  return undefined;
}
