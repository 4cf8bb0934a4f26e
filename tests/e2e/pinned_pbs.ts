/**
 * How every test that runs real processes configures RealRunner: the PBS
 * commands come from `dir` and nowhere else. An explicit lookup replaces the
 * environment's PBS_EXEC, PATH and pbs.conf, so a test on a login node (where
 * /etc/pbs.conf names the site's installation) can never run the real qstat
 * or qsub. tests/e2e/decoy.test.ts proves it; .ci/run checks it for the whole
 * suite.
 */
import { RealRunner, type RealRunnerOptions } from "../../src/pbs/real_runner.ts";

/** The children's PATH: only for the fake commands' own tools (cat, sleep, ...). */
export const CHILD_PATH = "/usr/bin:/bin";

export function pinnedRunner(dir: string, options: RealRunnerOptions = {}): RealRunner {
  return new RealRunner({
    baseEnv: { PATH: CHILD_PATH },
    ...options,
    lookup: { path: [dir] },
  });
}
