/**
 * The SSH runner end to end: a real `sshd` on a loopback port (throwaway host
 * and user keys in a temp dir, its own config: key login only, for the
 * current user only), the simulator's shims as the remote PBS installation,
 * and the runner driving them through the system `ssh`: submit (script on
 * stdin), status, output, array ids through the remote shell, and the
 * failure modes (host down, auth refused, host key unknown, command timeout).
 *
 * Outside CI a machine without sshd skips these tests and says so.
 */
import assert from "node:assert/strict";
import { PbsError } from "../../src/pbs/errors.ts";
import { parseJobsJson } from "../../src/pbs/parse/jobs.ts";
import { SshRunner, type SshTarget } from "../../src/pbs/ssh_runner.ts";
import { loadConfig } from "../../src/service/config.ts";
import { demoUser, osUser } from "../../src/service/os_user.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { makeShims } from "./shims_support.ts";
import { BOUNDED, freePort, sshdMissing, sshdSkipMessage, startSshd } from "./sshd_support.ts";

const hasSshd = sshdMissing.length === 0;
if (!hasSshd) console.warn(sshdSkipMessage("tests/e2e/ssh.test.ts"));

async function expectPbsError(promise: Promise<unknown>, kind: string, text: RegExp) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PbsError, String(error));
    assert.equal(error.kind, kind, error.message);
    assert.match(`${error.message} ${error.hint}`, text);
    return error;
  }
  assert.fail(`expected a ${kind} error`);
}

Deno.test({
  name: "SSH runner against a real sshd on loopback and the simulator's shims",
  ignore: !hasSshd,
  async fn(t) {
    const user = (await osUser()).name;
    // Who the shims act as, mapped as demo mode does: root (CI) → alice, anyone else → themself.
    const simUser = demoUser(undefined, { USER: user });
    const sshd = await startSshd(user);
    const shims = await Deno.makeTempDir({ prefix: "pbs-ssh-shims-" });
    try {
      // 3600 simulated seconds per real second: a 60 s job ends within milliseconds.
      await makeShims(shims, "--scenario", "golden", "--speed", "3600", "--user", simUser);
      const home = `${shims}/state/files/home/${simUser}`;
      const target: SshTarget = {
        host: "127.0.0.1",
        port: sshd.port,
        user,
        options: sshd.clientOptions(),
        pbsExec: shims,
      };
      const runner = new SshRunner(target, BOUNDED);
      let outputPath = "";

      await t.step("qsub with its script on stdin, in the submit directory", async () => {
        const result = await runner.run(["qsub"], {
          stdin: "#PBS -N from-stdin\n#SIM runtime=600 exit=0\necho hello over ssh\n",
          cwd: home,
        });
        assert.equal(result.code, 0, result.stderr);
        const id = result.stdout.trim();
        assert.match(id, /^\d+\.vm$/);
        const status = await runner.run(["qstat", "-x", "-f", "-F", "json", id]);
        assert.equal(status.code, 0, status.stderr);
        const [job] = parseJobsJson(status.stdout);
        assert.equal(job.name, "from-stdin", "the #PBS line of the script sent on stdin");
        assert.equal(job.variables.PBS_O_WORKDIR, home, "qsub ran in the submit directory");
      });

      await t.step(
        "an argument with a space arrives as one word (PBS refuses it as a name)",
        async () => {
          const result = await runner.run(["qsub", "-N", "two words"], { stdin: "", cwd: home });
          // Split in two, qsub would have taken "words" as its script file.
          assert.equal(result.code, 2);
          assert.match(result.stderr, /^qsub: illegal -N value\n/);
        },
      );

      // PBS's user and the server's: the shims map root (CI) to alice, as PBS refuses root.
      const client = new PbsClient({
        runner,
        user: simUser,
        config: loadConfig({ PBS_MCP_SUBMIT_DIR: home, PBS_MCP_ALLOWED_DIRS: shims }, home),
        sleep: () => new Promise((resolve) => setTimeout(resolve, 50)),
      });
      let jobId = "";

      await t.step("PbsClient through the SSH runner: submit, wait, status", async () => {
        const submitted = await client.submitJob({
          script: "#!/bin/bash\n#SIM runtime=60 exit=0\necho from the client\n",
          jobName: "client",
          walltime: "00:05:00",
        });
        const waited = await client.waitForJob(submitted.jobId, "finished", 30);
        assert.equal(waited.state, "F");
        assert.equal(waited.job?.exitStatus, 0);
        assert.equal(waited.job?.user, simUser, "root maps to the simulated alice");
        jobId = submitted.jobId;
        outputPath = waited.job!.outputPath!.replace(/^[^:/]+:/, "");
      });

      await t.step("get_job_output's read goes through the connection", async () => {
        const output = await client.jobOutput(jobId, "stdout", 10, 4096);
        assert.equal(output.text, "from the client");
        assert.equal(output.path, outputPath);
        assert.equal(output.sizeBytes, "from the client\n".length);
        assert.equal(output.truncated, false);
        // Nothing of it is on this machine's side of the connection but through ssh: with
        // allowed_dirs elsewhere on the login node, the same read is refused there.
        const narrow = new PbsClient({
          runner,
          user: simUser,
          config: loadConfig({ PBS_MCP_ALLOWED_DIRS: `${shims}/bin` }, home),
        });
        await expectPbsError(
          narrow.jobOutput(jobId, "stdout", 10, 4096),
          "permission_denied",
          /outside the directories this server may read on 127\.0\.0\.1/,
        );
      });

      await t.step("a running job's output has not ended yet", async () => {
        // 36000 simulated seconds: ten real seconds at 3600×, so it still runs when asked.
        const submitted = await client.submitJob({
          script: "#!/bin/bash\n#SIM runtime=36000 exit=0\necho later\n",
          walltime: "20:00:00",
        });
        const waited = await client.waitForJob(submitted.jobId, "running", 30);
        assert.equal(waited.state, "R");
        await expectPbsError(
          client.jobOutput(submitted.jobId, "stdout", 10, 4096),
          "invalid_state",
          /has not ended yet \(state R, running\)/,
        );
        await client.deleteJob(submitted.jobId);
      });

      await t.step("the file read's sandbox on the login node", async () => {
        const files = runner.remoteFiles;
        const end = await files.readEnd(outputPath, { allowedDirs: [shims], maxBytes: 6 });
        assert.equal(new TextDecoder().decode(end?.bytes), "lient\n", "the last 6 bytes");
        assert.equal(end?.sizeBytes, "from the client\n".length);
        // A symlink inside the allowed directory to a file outside it: resolved there, refused.
        const link = `${home}/escape.o1`;
        await Deno.symlink("/etc/passwd", link);
        await expectPbsError(
          files.readEnd(link, { allowedDirs: [shims], maxBytes: 64 }),
          "permission_denied",
          /outside the directories/,
        );
        assert.equal(
          await files.readEnd(`${home}/nonexistent.o1`, { allowedDirs: [shims], maxBytes: 64 }),
          undefined,
          "a missing file is told apart",
        );
        await expectPbsError(
          files.readEnd(home, { allowedDirs: [shims], maxBytes: 64 }),
          "invalid_input",
          /not a regular file/,
        );
        // A FIFO would block a reader forever: refused before any read.
        await new Deno.Command("mkfifo", { args: [`${home}/fifo.o1`] }).output();
        await expectPbsError(
          files.readEnd(`${home}/fifo.o1`, { allowedDirs: [shims], maxBytes: 64 }),
          "invalid_input",
          /not a regular file/,
        );
        // A path with a quote and spaces arrives as one word.
        const odd = `${home}/it's a file.o1`;
        await Deno.writeTextFile(odd, "one\ntwo\n");
        const read = await files.readEnd(odd, { allowedDirs: [shims], maxBytes: 64 });
        assert.equal(read?.path, odd);
        assert.equal(new TextDecoder().decode(read?.bytes), "one\ntwo\n");
        // `~` is the login user's home there (an ssh cluster's default allowed directory).
        const mine = await Deno.makeTempFile({
          dir: (await osUser()).home,
          prefix: ".pbs-mcp-test-",
          suffix: ".o1",
        });
        try {
          await Deno.writeTextFile(mine, "in the home\n");
          const fromHome = await files.readEnd(mine, { allowedDirs: ["~"], maxBytes: 64 });
          assert.equal(new TextDecoder().decode(fromHome?.bytes), "in the home\n");
          await expectPbsError(
            files.readEnd(odd, { allowedDirs: ["~"], maxBytes: 64 }),
            "permission_denied",
            /outside the directories/,
          );
        } finally {
          await Deno.remove(mine);
        }
      });

      await t.step("an array subjob id crosses the remote shell as one argument", async () => {
        const sub = await runner.run(["qsub", "-J", "1-3", "-h"], {
          stdin: "#SIM runtime=60\n",
          cwd: home,
        });
        assert.equal(sub.code, 0, sub.stderr);
        const parent = sub.stdout.trim();
        const subjob = parent.replace("[]", "[2]");
        const status = await runner.run(["qstat", "-f", "-F", "json", "-t", subjob]);
        assert.equal(status.code, 0, status.stderr);
        assert.deepEqual(parseJobsJson(status.stdout).map((j) => j.id), [subjob]);
      });

      await t.step("a PBS error comes back as PBS wrote it, exit code included", async () => {
        const result = await runner.run(["qstat", "-Q", "nosuchqueue"]);
        assert.notEqual(result.code, 0);
        assert.notEqual(result.code, 255);
        assert.match(result.stderr, /Unknown queue/);
      });

      await t.step("host down: a closed port is a server_unreachable error", async () => {
        const down = new SshRunner({ ...target, port: freePort() }, BOUNDED);
        await expectPbsError(down.run(["qstat"]), "server_unreachable", /not reachable/);
      });

      await t.step("auth refused: a key the server does not know", async () => {
        const refused = new SshRunner(
          { ...target, options: sshd.clientOptions(`${sshd.dir}/other_key`) },
          BOUNDED,
        );
        await expectPbsError(refused.run(["qstat"]), "permission_denied", /ssh -fNM 127\.0\.0\.1/);
      });

      await t.step("unknown host key: refused, with how to check it", async () => {
        const options = sshd.clientOptions().map((o) =>
          o.startsWith("UserKnownHostsFile=") ? "UserKnownHostsFile=/dev/null" : o
        );
        const strict = new SshRunner({ ...target, options }, BOUNDED);
        await expectPbsError(strict.run(["qstat"]), "permission_denied", /host key/);
      });

      await t.step("a dead ControlMaster socket says how to open one", async () => {
        // A stale control path, and a login that needs the master (MFA sites): here a key the
        // server refuses stands in for the password/MFA prompt BatchMode forbids.
        const socket = `${sshd.dir}/cm.sock`;
        Deno.writeTextFileSync(socket, "");
        const muxed = new SshRunner(
          {
            ...target,
            options: [
              ...sshd.clientOptions(`${sshd.dir}/other_key`),
              "-o",
              `ControlPath=${socket}`,
              "-o",
              "ControlMaster=no",
            ],
          },
          BOUNDED,
        );
        const error = await expectPbsError(
          muxed.run(["qstat"]),
          "permission_denied",
          /control socket .* missing or dead.*ssh -fNM 127\.0\.0\.1/s,
        );
        assert.match(error.pbsMessage ?? "", /Control socket connect/);
      });

      await t.step("command timeout: a hung command is cut off and reported", async () => {
        // Hold the state lock: the remote qstat waits for it, like a client of a hung server.
        const log = `${shims}/state/log.jsonl`;
        const logged = () => Deno.readTextFileSync(log).split("\n").length;
        const before = logged();
        const lock = Deno.openSync(`${shims}/state/lock`, { write: true });
        lock.lockSync(true);
        try {
          const result = await runner.run(["qstat"], { timeoutMs: 1_500 });
          assert.equal(result.timedOut, true);
          assert.equal(result.timeoutMs, 1_500);
        } finally {
          lock.close();
        }
        // Killing the local ssh does not stop the remote command (no terminal): once the lock is
        // free it runs and logs its call. Wait for that (bounded) before removing its directory.
        for (let i = 0; i < 200 && logged() === before; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(logged(), before + 1, "the remote qstat ran once the lock was free");
      });
    } finally {
      await sshd.stop();
      await Deno.remove(shims, { recursive: true });
    }
  },
});
