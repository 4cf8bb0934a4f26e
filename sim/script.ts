/**
 * What a job script makes the simulated job do.
 *
 * Supported (everything else in the script is ignored):
 * - `#SIM runtime=SECONDS exit=CODE` — either key optional; the last such line wins per key.
 * - `#SIM cpu=PERCENT mem=SIZE` — what the job uses while it runs: PERCENT of its requested
 *   cpus busy (resources_used.cput), SIZE of memory (resources_used.mem, e.g. `2gb`, `512mb`).
 * - `sleep N` (a plain integer, anywhere on a line, e.g. `sleep 20` or `sleep 1; echo hi`) —
 *   adds N seconds of runtime when no `#SIM runtime=` is given.
 * - `exit N` on its own (first one reached) — the exit code when no `#SIM exit=` is given.
 * - `echo TEXT` — TEXT (quotes removed) becomes a line of the job's stdout;
 *   `echo TEXT >&2` (or `1>&2`) a line of its stderr.
 * Defaults: runtime 60 s when nothing says otherwise (an empty script runs 1 s), exit 0.
 */
import type { JobBehaviour } from "./model.ts";

export const DEFAULT_RUNTIME_SECONDS = 60;

const SIM_LINE = /^#SIM\s+(.*)$/;
const SLEEP = /(?:^|[;&|\s])sleep\s+(\d+)(?=$|[\s;&|])/g;
const EXIT = /^exit\s+(\d+)\s*$/;
const ECHO = /^echo\s+(.*?)\s*$/;
const TO_STDERR = /\s*1?>&2\s*$/;

export function parseScriptBehaviour(script: string): JobBehaviour {
  let simRuntime: number | undefined;
  let simExit: number | undefined;
  let sleepTotal = 0;
  let sawSleep = false;
  let exitCode: number | undefined;
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];

  for (const raw of script.split("\n")) {
    const line = raw.trim();
    const sim = SIM_LINE.exec(line);
    if (sim) {
      for (const [key, value] of simPairs(sim[1])) {
        if (key === "runtime") simRuntime = value;
        if (key === "exit") simExit = value;
      }
      continue;
    }
    if (line.startsWith("#") || line === "") continue;
    for (const m of line.matchAll(SLEEP)) {
      sleepTotal += Number(m[1]);
      sawSleep = true;
    }
    for (const statement of line.split(";").map((s) => s.trim())) {
      const exit = EXIT.exec(statement);
      if (exit && exitCode === undefined) exitCode = Number(exit[1]) & 0xff;
      const echo = ECHO.exec(statement);
      if (echo) pushEcho(echo[1], stdoutLines, stderrLines);
    }
  }

  const empty = script.trim() === "";
  const runtimeSeconds = simRuntime ??
    (sawSleep ? Math.max(1, sleepTotal) : empty ? 1 : DEFAULT_RUNTIME_SECONDS);
  return {
    runtimeSeconds,
    exitCode: simExit ?? exitCode ?? 0,
    stdoutLines,
    stderrLines,
    ...simUsage(script),
  };
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1,
  mb: 1024,
  gb: 1024 ** 2,
  tb: 1024 ** 3,
};

/** `#SIM cpu=PERCENT mem=SIZE`: the last value of each key wins. */
function simUsage(script: string): Pick<JobBehaviour, "cpuPercent" | "memKb"> {
  const usage: Pick<JobBehaviour, "cpuPercent" | "memKb"> = {};
  for (const raw of script.split("\n")) {
    const sim = SIM_LINE.exec(raw.trim());
    if (!sim) continue;
    const cpu = /\bcpu=(\d+)\b/.exec(sim[1]);
    if (cpu) usage.cpuPercent = Math.min(100, Number(cpu[1]));
    const mem = /\bmem=(\d+)(b|kb|mb|gb|tb)?\b/i.exec(sim[1]);
    if (mem) {
      const unit = (mem[2] ?? "b").toLowerCase();
      const kb = Number(mem[1]) * SIZE_UNITS[unit];
      usage.memKb = unit === "b" ? Math.ceil(Number(mem[1]) / 1024) : kb;
    }
  }
  return usage;
}

function simPairs(text: string): Array<["runtime" | "exit", number]> {
  const pairs: Array<["runtime" | "exit", number]> = [];
  for (const m of text.matchAll(/\b(runtime|exit)=(-?\d+)\b/g)) {
    pairs.push([m[1] as "runtime" | "exit", Number(m[2])]);
  }
  return pairs;
}

function pushEcho(text: string, stdout: string[], stderr: string[]): void {
  const toStderr = TO_STDERR.test(text);
  const body = unquote(text.replace(TO_STDERR, ""));
  (toStderr ? stderr : stdout).push(body);
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.endsWith(t[0])) return t.slice(1, -1);
  return t;
}
