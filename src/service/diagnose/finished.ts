/**
 * The verdict for a finished job: did it succeed, and if not, why it failed.
 *
 * The most specific evidence wins: PBS's own exit codes (exit status -29 is a
 * walltime kill), then signals, then error signatures in the job's output.
 */
import { describeExitStatus } from "../../pbs/model/exit_status.ts";
import { formatDuration, parseDuration } from "../../pbs/model/time.ts";
import { changeVia, findQueue } from "./helpers.ts";
import { addResourceWarnings, NEAR_LIMIT_PERCENT, usage } from "./resource_usage.ts";
import type {
  Diagnosis,
  DiagnosisInput,
  OutputSignature,
  Reason,
  ResourceUsage,
  SignatureKind,
} from "./types.ts";

export function diagnoseFinished(input: DiagnosisInput, d: Diagnosis): Diagnosis {
  const { job } = input;
  if (job.exitStatus === undefined) return neverRan(input, d);
  d.exit = describeExitStatus(job.exitStatus);
  d.findings.push({
    topic: "exit_status",
    severity: job.exitStatus === 0 ? "info" : "blocking",
    message: d.exit.meaning,
  });
  const verdict = finishedVerdict(input, d);
  d.category = verdict.category;
  d.summary = verdict.summary;
  d.nextSteps = verdict.steps;
  for (const sig of d.signatures) {
    d.findings.push({
      topic: "output",
      severity: "warning",
      message: `${sig.stream}: ${sig.line}`,
    });
  }
  addResourceWarnings(d);
  return d;
}

function neverRan(input: DiagnosisInput, d: Diagnosis): Diagnosis {
  const comment = input.job.comment ?? "";
  const deleted = /terminated|deleted/i.test(comment);
  d.category = deleted ? "deleted" : "never_ran";
  d.summary = deleted
    ? `The job was deleted before it ran${comment ? ` (PBS: "${comment}")` : ""}.`
    : `The job finished without running${
      comment ? ` (PBS: "${comment}")` : ""
    }; a dependency it named may have been rejected or failed.`;
  d.nextSteps = ["Resubmit it if it is still needed (check any dependency it named first)."];
  return d;
}

function hasSignature(d: Diagnosis, kind: SignatureKind): OutputSignature | undefined {
  return d.signatures.find((s) => s.kind === kind);
}

/** The most specific explanation wins: PBS's own codes, then signals, then output signatures. */
function finishedVerdict(input: DiagnosisInput, d: Diagnosis): Reason {
  const { job } = input;
  const exit = d.exit!;
  const code = job.exitStatus!;
  const comment = job.comment ?? "";
  if (code === 0) return succeeded(d);
  if (
    exit.category === "walltime" || /exceeded resource walltime/.test(comment) ||
    hasSignature(d, "walltime")
  ) {
    return walltimeExceeded(input);
  }
  if (code === -27 || code === -26 || hasSignature(d, "memory_limit") || looksOutOfMemory(d)) {
    return outOfMemory(input, d);
  }
  if (exit.category === "resource_limit") {
    return {
      category: "resource_limit",
      summary: `PBS killed the job for exceeding a resource limit: ${exit.meaning}`,
      steps: ["Request more of that resource (ncpus or cput) or make the program use fewer CPUs."],
    };
  }
  if (
    exit.signal?.name === "SIGSEGV" || exit.signal?.name === "SIGBUS" || hasSignature(d, "segfault")
  ) {
    return {
      category: "segfault",
      summary: `The program crashed with a segmentation fault (exit status ${code}).`,
      steps: [
        "Run it on a small input interactively or under a debugger (gdb, valgrind); check stack size (ulimit -s) and array bounds.",
        "If it is a library mismatch, load the same modules it was built with.",
      ],
    };
  }
  // PBS's comment names who deleted a job ("... and terminated by alice@host", see the
  // goldens' INDEX.md); a SIGTERM without it may as well be preemption or a node shutdown.
  const deletedBy = /terminated by (\S+)/.exec(comment)?.[1];
  if (deletedBy) {
    return {
      category: "deleted",
      summary: `The job was deleted while running, by ${deletedBy} (exit status ${code}).`,
      steps: ["Resubmit it if that was not intended."],
    };
  }
  return signatureVerdict(d, code) ?? exitVerdict(d, code);
}

function succeeded(d: Diagnosis): Reason {
  const wall = usage(d.resources, "walltime");
  const steps = ["Nothing to fix."];
  if (wall?.percent !== undefined && wall.percent < 25) {
    steps.push(
      `It used ${wall.percent}% of its walltime; asking for less (e.g. ${
        suggestWalltime(wall)
      }) usually starts jobs sooner.`,
    );
  }
  return {
    category: "succeeded",
    summary: "The job completed successfully (exit status 0).",
    steps,
  };
}

function suggestWalltime(row: ResourceUsage): string {
  const used = parseDuration(row.used) ?? 0;
  return formatDuration(Math.max(300, Math.ceil((used * 2) / 300) * 300));
}

function walltimeExceeded(input: DiagnosisInput): Reason {
  const { job } = input;
  const requested = parseDuration(String(job.requested.walltime ?? ""));
  const queue = findQueue(input);
  const max = parseDuration(String(queue?.resourcesMax.walltime ?? ""));
  const steps: string[] = [];
  if (requested !== undefined) {
    const doubled = requested * 2;
    const next = max !== undefined ? Math.min(doubled, max) : doubled;
    if (max !== undefined && requested >= max) {
      steps.push(
        `The job already asked for queue ${queue!.name}'s maximum walltime (${
          formatDuration(max)
        }): use a queue with a longer limit (list_queues), or checkpoint and restart across jobs.`,
      );
    } else {
      steps.push(
        `Ask for more walltime: resubmit with walltime=${formatDuration(next)} (it asked for ${
          formatDuration(requested)
        }${
          max !== undefined ? `; queue ${queue!.name} allows up to ${formatDuration(max)}` : ""
        }).`,
      );
    }
  } else {
    steps.push(
      `Ask for more walltime when resubmitting (${
        changeVia(input).resubmit("walltime", "HH:MM:SS")
      }).`,
    );
  }
  steps.push("If the program can checkpoint, save state regularly so a rerun can continue.");
  return {
    category: "walltime_exceeded",
    summary: `PBS killed the job because it ran past its walltime limit${
      requested !== undefined ? ` of ${formatDuration(requested)}` : ""
    }.`,
    steps,
  };
}

/** SIGKILL with memory near its request, or the kernel's own words, means the OOM killer. */
function looksOutOfMemory(d: Diagnosis): boolean {
  if (hasSignature(d, "out_of_memory")) return true;
  const mem = usage(d.resources, "mem");
  return d.exit?.signal?.name === "SIGKILL" && (mem?.percent ?? 0) >= NEAR_LIMIT_PERCENT;
}

function outOfMemory(input: DiagnosisInput, d: Diagnosis): Reason {
  const mem = usage(d.resources, "mem");
  const requested = String(input.job.requested.mem ?? "");
  const usedNote = mem ? ` (used ${mem.used} of ${mem.requested} requested)` : "";
  return {
    category: "out_of_memory",
    summary: `The job ran out of memory and was killed${usedNote}.`,
    steps: [
      requested
        ? `Request more memory per node (mem in select, e.g. double ${requested}), or spread the work over more nodes.`
        : "Request memory explicitly (select=...:mem=64gb) or spread the work over more nodes.",
      "Use fewer ranks or threads per node so each gets more memory; check the program for leaks on a small input.",
    ],
  };
}

const SIGNATURE_VERDICTS: Partial<Record<SignatureKind, (line: string) => Reason>> = {
  module_error: (line) => ({
    category: "module_error",
    summary: `Loading an environment module failed: "${line}".`,
    steps: [
      "Check module names with `module avail` on a login node and fix the module load lines.",
      "If `module` itself is missing, start the script with #!/bin/bash -l (a login shell) or source the site's module init script.",
    ],
  }),
  python_traceback: (line) => ({
    category: "python_error",
    summary: `The Python program raised an exception: "${line}".`,
    steps: [
      "Read the traceback with get_job_output stream=stderr and fix the error; try a small input interactively first.",
    ],
  }),
  mpi_abort: (line) => ({
    category: "mpi_abort",
    summary: `An MPI rank aborted the run: "${line}".`,
    steps: [
      "Find the first failing rank in the output (get_job_output); the abort is usually a symptom of an earlier error.",
      "Check that ranks × threads match the requested ncpus per node and that the MPI module matches the build.",
    ],
  }),
  missing_file: (line) => ({
    category: "missing_file",
    summary: `A file the job needed was not found: "${line}".`,
    steps: [
      "Use absolute paths, or paths relative to $PBS_O_WORKDIR (the job starts in your home directory unless the script cd's).",
      "Check the file exists on a filesystem the compute nodes mount.",
    ],
  }),
  command_not_found: (line) => ({
    category: "command_not_found",
    summary: `A command in the script was not found: "${line}".`,
    steps: [
      "Load the module that provides it, or use its full path; compute nodes may have a different PATH.",
    ],
  }),
};

function signatureVerdict(d: Diagnosis, code: number): Reason | undefined {
  for (const sig of d.signatures) {
    const verdict = SIGNATURE_VERDICTS[sig.kind];
    if (verdict) {
      const reason = verdict(sig.line);
      return { ...reason, summary: `${reason.summary} The job exited with status ${code}.` };
    }
  }
  return undefined;
}

function exitVerdict(d: Diagnosis, code: number): Reason {
  const exit = d.exit!;
  if (code === 127) {
    return {
      category: "command_not_found",
      summary: `${exit.meaning}`,
      steps: ["Load the module that provides the command, or use its full path."],
    };
  }
  if (exit.category === "pbs") {
    return {
      category: "pbs_failure",
      summary: `PBS itself ended or could not start the job: ${exit.meaning}`,
      steps: [
        "This is usually a node or site problem, not your script: resubmit; if it repeats, report the job id and exit status to the administrators.",
      ],
    };
  }
  if (exit.category === "signal") {
    return {
      category: "killed_by_signal",
      summary: exit.meaning,
      steps: [
        "Check the output for what sent the signal (get_job_output); SIGKILL often means the memory limit, SIGTERM a deletion or preemption.",
      ],
    };
  }
  return {
    category: "failed",
    summary: `${exit.meaning} No known error signature was found in the output it could read.`,
    steps: ["Read the end of stderr and stdout with get_job_output to see what failed."],
  };
}
