/**
 * What a job's `Exit_status` means.
 *
 * PBS reports (facts from OpenPBS src/include/job.h, identical in v23.06.06
 * and master cd7ab5e, and from the goldens):
 * - 0: success.
 * - 1..127: the job script's own exit code (`exit 3` → 3).
 * - 128+N: by shell convention, a command in the script died of signal N and
 *   the shell passed that on (it may also be a literal `exit 137`).
 * - 256+N: the job's top shell itself was killed by signal N (goldens: 266 =
 *   SIGUSR1 via qsig, 271 = SIGTERM via qdel).
 * - negative: PBS itself ended or never started the job (JOB_EXEC_* codes),
 *   e.g. -29 = walltime exceeded.
 */

export type ExitCategory =
  | "success"
  | "failure"
  | "signal"
  | "walltime"
  | "resource_limit"
  | "pbs"
  | "unknown";

export interface ExitStatusInfo {
  code: number;
  category: ExitCategory;
  meaning: string;
  /** The JOB_EXEC_* name for negative codes. */
  pbsName?: string;
  signal?: { number: number; name: string };
}

/** Linux signal numbers (x86-64/arm64; signal(7)). 32 and 33 are reserved by glibc. */
const LINUX_SIGNALS: readonly (string | undefined)[] = [
  undefined,
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];
const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** Linux name of signal `n` (`SIGTERM`, `SIGRTMIN+2`); undefined outside 1..64 or for 32/33. */
export function signalName(n: number): string | undefined {
  if (!Number.isInteger(n)) return undefined;
  if (n >= 1 && n < LINUX_SIGNALS.length) return LINUX_SIGNALS[n];
  if (n === SIGRTMIN) return "SIGRTMIN";
  if (n > SIGRTMIN && n < SIGRTMAX) return `SIGRTMIN+${n - SIGRTMIN}`;
  if (n === SIGRTMAX) return "SIGRTMAX";
  return undefined;
}

/** Linux number of a signal name (`SIGTERM`, `TERM`, case-insensitive); undefined when unknown. */
export function signalNumber(name: string): number | undefined {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  const index = LINUX_SIGNALS.indexOf(full);
  if (index > 0) return index;
  if (full === "SIGRTMIN") return SIGRTMIN;
  if (full === "SIGRTMAX") return SIGRTMAX;
  const rt = /^SIGRTMIN\+(\d+)$/.exec(full);
  if (rt && Number(rt[1]) < SIGRTMAX - SIGRTMIN) return SIGRTMIN + Number(rt[1]);
  return undefined;
}

interface PbsExitCode {
  name: string;
  category: ExitCategory;
  meaning: string;
}

/** JOB_EXEC_* from OpenPBS src/include/job.h (-8 and -9 are not defined). Meanings are ours. */
const PBS_EXIT_CODES: Readonly<Record<number, PbsExitCode>> = {
  [-1]: {
    name: "JOB_EXEC_FAIL1",
    category: "pbs",
    meaning: "PBS could not start the job (before its files were set up); not retried.",
  },
  [-2]: {
    name: "JOB_EXEC_FAIL2",
    category: "pbs",
    meaning: "PBS could not start the job (after its files were set up); not retried.",
  },
  [-3]: {
    name: "JOB_EXEC_RETRY",
    category: "pbs",
    meaning: "PBS could not start the job and will retry it.",
  },
  [-4]: {
    name: "JOB_EXEC_INITABT",
    category: "pbs",
    meaning: "The job was aborted while the execution host (MoM) was initialising.",
  },
  [-5]: {
    name: "JOB_EXEC_INITRST",
    category: "pbs",
    meaning: "Aborted during MoM initialisation; checkpointed, cannot migrate.",
  },
  [-6]: {
    name: "JOB_EXEC_INITRMG",
    category: "pbs",
    meaning: "Aborted during MoM initialisation; checkpointed, may migrate.",
  },
  [-7]: {
    name: "JOB_EXEC_BADRESRT",
    category: "pbs",
    meaning: "Restarting the job from its checkpoint failed.",
  },
  [-10]: {
    name: "JOB_EXEC_FAILUID",
    category: "pbs",
    meaning: "The job's user or group id is invalid on the execution host.",
  },
  [-11]: { name: "JOB_EXEC_RERUN", category: "pbs", meaning: "The job was requeued to rerun." },
  [-12]: {
    name: "JOB_EXEC_CHKP",
    category: "pbs",
    meaning: "The job was checkpointed and then killed.",
  },
  [-13]: {
    name: "JOB_EXEC_FAIL_PASSWORD",
    category: "pbs",
    meaning: "The job failed because of a bad password.",
  },
  [-14]: {
    name: "JOB_EXEC_RERUN_SIS_FAIL",
    category: "pbs",
    meaning: "The job was requeued because a sister host failed.",
  },
  [-15]: {
    name: "JOB_EXEC_QUERST",
    category: "pbs",
    meaning: "The job was requeued to restart from its checkpoint.",
  },
  [-16]: {
    name: "JOB_EXEC_FAILHOOK_RERUN",
    category: "pbs",
    meaning: "A hook rejected the job's start; it is requeued to retry later.",
  },
  [-17]: {
    name: "JOB_EXEC_FAILHOOK_DELETE",
    category: "pbs",
    meaning: "A hook rejected the job's start; the job is deleted.",
  },
  [-18]: {
    name: "JOB_EXEC_HOOK_RERUN",
    category: "pbs",
    meaning: "A hook asked for the job to be requeued.",
  },
  [-19]: {
    name: "JOB_EXEC_HOOK_DELETE",
    category: "pbs",
    meaning: "A hook asked for the job to be deleted.",
  },
  [-20]: {
    name: "JOB_EXEC_RERUN_MS_FAIL",
    category: "pbs",
    meaning:
      "The connection to the job's primary execution host (mother superior) failed; requeued.",
  },
  [-21]: {
    name: "JOB_EXEC_FAIL_SECURITY",
    category: "pbs",
    meaning: "PBS found a security problem in its own directories and refused to run the job.",
  },
  [-22]: {
    name: "JOB_EXEC_HOOKERROR",
    category: "pbs",
    meaning: "A hook raised an unexpected error or timed out.",
  },
  [-23]: {
    name: "JOB_EXEC_FAIL_KRB5",
    category: "pbs",
    meaning: "No Kerberos credentials were supplied for the job.",
  },
  [-24]: {
    name: "JOB_EXEC_KILL_NCPUS_BURST",
    category: "resource_limit",
    meaning: "Killed: its CPU usage burst above the requested ncpus.",
  },
  [-25]: {
    name: "JOB_EXEC_KILL_NCPUS_SUM",
    category: "resource_limit",
    meaning: "Killed: its average CPU usage exceeded the requested ncpus.",
  },
  [-26]: {
    name: "JOB_EXEC_KILL_VMEM",
    category: "resource_limit",
    meaning: "Killed: it used more virtual memory (vmem) than requested.",
  },
  [-27]: {
    name: "JOB_EXEC_KILL_MEM",
    category: "resource_limit",
    meaning: "Killed: it used more memory (mem) than requested.",
  },
  [-28]: {
    name: "JOB_EXEC_KILL_CPUT",
    category: "resource_limit",
    meaning: "Killed: it used more CPU time (cput) than requested.",
  },
  [-29]: {
    name: "JOB_EXEC_KILL_WALLTIME",
    category: "walltime",
    meaning: "Killed: it ran longer than its requested walltime.",
  },
  [-30]: {
    name: "JOB_EXEC_JOINJOB",
    category: "pbs",
    meaning: "The job could not start because a sister host failed to join it.",
  },
};

/** Explains an `Exit_status` value in plain words. Never throws. */
export function describeExitStatus(code: number): ExitStatusInfo {
  if (!Number.isInteger(code)) {
    return { code, category: "unknown", meaning: `Exit status ${code} is not an integer.` };
  }
  if (code === 0) return { code, category: "success", meaning: "The job completed successfully." };
  if (code < 0) return describePbsCode(code);
  if (code < 128) {
    return {
      code,
      category: "failure",
      meaning: `The job script exited with code ${code}.${shellHint(code)}`,
    };
  }
  if (code < 256) return describeShellSignal(code);
  return describeKilledBySignal(code);
}

/** Shells use 126 and 127 for commands that could not be run; worth saying so. */
function shellHint(code: number): string {
  if (code === 126) return " (By shell convention: a command was found but could not be executed.)";
  if (code === 127) return " (By shell convention: a command was not found.)";
  return "";
}

function describePbsCode(code: number): ExitStatusInfo {
  const known = PBS_EXIT_CODES[code];
  if (!known) {
    return { code, category: "pbs", meaning: `PBS ended the job with its own code ${code}.` };
  }
  return { code, category: known.category, meaning: known.meaning, pbsName: known.name };
}

function describeShellSignal(code: number): ExitStatusInfo {
  const number = code - 128;
  const name = signalName(number);
  if (!name) {
    return { code, category: "failure", meaning: `The job script exited with code ${code}.` };
  }
  return {
    code,
    category: "signal",
    meaning:
      `A command in the job script was killed by ${name} (exit code ${code} = 128 + ${number}).`,
    signal: { number, name },
  };
}

/**
 * Where a signal that killed the job's top shell usually comes from. PBS
 * sends SIGTERM (then SIGKILL) when a job is deleted (qdel), preempted with
 * the kill method (the scheduler's preempt_order), or
 * its node's MoM shuts down; qsig sends whatever it is told.
 */
const SIGNAL_SOURCES: Record<string, string> = {
  SIGTERM: " PBS sends it when the job is deleted (qdel), preempted, or its node shuts down.",
  SIGKILL:
    " PBS sends it after SIGTERM when a job does not stop; the kernel sends it when memory runs out.",
};

function describeKilledBySignal(code: number): ExitStatusInfo {
  const number = code - 256;
  const name = signalName(number);
  if (!name) {
    return { code, category: "unknown", meaning: `Exit status ${code} is not one PBS documents.` };
  }
  return {
    code,
    category: "signal",
    meaning: `The job was killed by ${name} (exit status ${code} = 256 + ${number}).${
      SIGNAL_SOURCES[name] ?? ""
    }`,
    signal: { number, name },
  };
}
