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

import type { AttrList } from "./model.ts";
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

/** A hook as `qmgr -c 'list hook'` / `'list pbshook'` shows it. */
interface HookListing {
  name: string;
  /** `site` (qmgr `hook`) or `pbs` (qmgr `pbshook`, shipped with PBS). */
  type?: "site" | "pbs";
  enabled: boolean;
  events: string[];
  alarm: number;
  freq?: number;
  order: number;
  failAction: string;
}

/**
 * The site hook every OpenPBS install ships, disabled (capture qmgr_list_hook;
 * INDEX.md note 8: so `list hook` is never empty).
 */
const PBS_CGROUPS: HookListing = {
  name: "pbs_cgroups",
  enabled: false,
  events: [
    "execjob_begin",
    "execjob_epilogue",
    "execjob_end",
    "execjob_launch",
    "execjob_attach",
    "execjob_resize",
    "execjob_abort",
    "execjob_postsuspend",
    "execjob_preresume",
    "exechost_periodic",
    "exechost_startup",
  ],
  alarm: 90,
  freq: 120,
  order: 100,
  failAction: "offline_vnodes",
};

/** The PBS hooks every install ships, all disabled (capture qmgr_list_pbshook). */
const PBS_HOOKS: HookListing[] = [
  {
    name: "PBS_alps_inventory_check",
    type: "pbs",
    enabled: false,
    events: ["exechost_periodic"],
    alarm: 90,
    freq: 300,
    order: 1,
    failAction: "none",
  },
  {
    name: "PBS_power",
    type: "pbs",
    enabled: false,
    events: [
      "periodic",
      "execjob_begin",
      "execjob_prologue",
      "execjob_epilogue",
      "execjob_end",
      "exechost_periodic",
      "exechost_startup",
    ],
    alarm: 180,
    freq: 300,
    order: 2000,
    failAction: "none",
  },
  {
    name: "PBS_cray_atom",
    type: "pbs",
    enabled: false,
    events: ["execjob_begin", "execjob_end"],
    alarm: 300,
    order: 100,
    failAction: "offline_vnodes",
  },
];

/** The shipped PBS hooks in `list pbshook` order. */
export function pbsHooks(): Array<{ name: string; attrs: AttrList }> {
  return PBS_HOOKS.map((h) => ({ name: h.name, attrs: hookAttributes(h) }));
}

/** A declared queuejob hook with a new hook's defaults (qmgr_list_hook_require_fs). */
function listingOf(hook: QueuejobHook): HookListing {
  return {
    name: hook.name,
    enabled: true,
    events: ["queuejob"],
    alarm: 30,
    order: 1,
    failAction: "none",
  };
}

/** The site hooks of a complex in `list hook` order: the shipped one, then the declared ones. */
export function siteHooks(
  hooks: readonly QueuejobHook[],
): Array<{ name: string; attrs: AttrList }> {
  return [PBS_CGROUPS, ...hooks.map(listingOf)].map((h) => ({
    name: h.name,
    attrs: hookAttributes(h),
  }));
}

function hookAttributes(h: HookListing): AttrList {
  const str = (value: string) => ({ kind: "str" as const, value });
  const attrs: AttrList = [
    { name: "type", value: str(h.type ?? "site") },
    { name: "enabled", value: str(h.enabled ? "true" : "false") },
    { name: "event", value: str(h.events.join(",")) },
    { name: "user", value: str("pbsadmin") },
    { name: "alarm", value: str(String(h.alarm)) },
  ];
  if (h.freq !== undefined) attrs.push({ name: "freq", value: str(String(h.freq)) });
  attrs.push(
    { name: "order", value: str(String(h.order)) },
    { name: "debug", value: str("false") },
    { name: "fail_action", value: str(h.failAction) },
  );
  return attrs;
}
