/**
 * Output signatures: known error lines in the tail of a job's stdout and stderr.
 *
 * When the exit status alone does not say why a job failed, its output often
 * does (MoM's walltime kill line, an OOM kill, a segfault, a Python traceback).
 */
import type { OutputSignature, OutputTail, SignatureKind } from "./types.ts";

interface SignatureRule {
  kind: SignatureKind;
  pattern: RegExp;
}

/** Error signatures in job output, most telling first (one line is reported per kind). */
const SIGNATURE_RULES: readonly SignatureRule[] = [
  { kind: "walltime", pattern: /=>> PBS: job killed: walltime \d+ exceeded limit \d+/ },
  { kind: "memory_limit", pattern: /=>> PBS: job killed: v?mem \S+ exceeded limit \S+/ },
  {
    kind: "out_of_memory",
    pattern:
      /oom-kill|oom_kill|out of memory|Out Of Memory|Cannot allocate memory|std::bad_alloc|MemoryError|(?:^|\s)Killed(?:\s|$)/,
  },
  { kind: "segfault", pattern: /Segmentation fault|SIGSEGV|segfault|Bus error|core dumped/ },
  {
    kind: "module_error",
    pattern:
      /module: command not found|Unable to locate a modulefile|Lmod has detected the following error|ModuleCmd_Load|The following module\(s\) are unknown/,
  },
  { kind: "python_traceback", pattern: /Traceback \(most recent call last\)/ },
  {
    kind: "mpi_abort",
    pattern:
      /MPI_ABORT|MPI_Abort|BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES|mpiexec.*(?:abort|killed|terminated)|PMI.*abort/i,
  },
  { kind: "missing_file", pattern: /No such file or directory|FileNotFoundError/ },
  { kind: "command_not_found", pattern: /command not found/ },
  { kind: "permission_denied", pattern: /Permission denied|PermissionError/ },
  { kind: "disk_full", pattern: /No space left on device|Disk quota exceeded/ },
  {
    kind: "gpu_error",
    pattern: /CUDA error|NCCL error|CUDA out of memory|ze_result|Level Zero error/,
  },
];

const MAX_LINE = 200;

/** A Python traceback is best shown by its last line, `ValueError: ...`. */
const PYTHON_ERROR_LINE = /^\s*([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)\b.*)$/;

/** The first line of each kind of error signature found in the output tails. */
export function findSignatures(outputs: readonly OutputTail[]): OutputSignature[] {
  const found = new Map<SignatureKind, OutputSignature>();
  for (const output of outputs) {
    const lines = output.text.split("\n");
    for (const rule of SIGNATURE_RULES) {
      if (found.has(rule.kind)) continue;
      const index = lines.findIndex((line) => rule.pattern.test(line));
      if (index < 0) continue;
      const line = rule.kind === "python_traceback"
        ? pythonErrorLine(lines, index) ?? lines[index]
        : lines[index];
      found.set(rule.kind, { kind: rule.kind, stream: output.stream, line: cut(line.trim()) });
    }
  }
  // Report in rule order, so the most telling signature comes first.
  return SIGNATURE_RULES.map((r) => found.get(r.kind)).filter((s) => s !== undefined);
}

function pythonErrorLine(lines: string[], tracebackAt: number): string | undefined {
  for (let i = tracebackAt + 1; i < lines.length; i++) {
    if (/^\S/.test(lines[i]) && PYTHON_ERROR_LINE.test(lines[i])) return lines[i];
  }
  return undefined;
}

function cut(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text;
}
