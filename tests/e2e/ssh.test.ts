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
import { osUser } from "../../src/service/os_user.ts";
import { PbsClient } from "../../src/service/pbs_client.ts";
import { makeShims } from "./shims_support.ts";

const SSHD = "/usr/sbin/sshd";

function onPath(name: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return Deno.statSync(`${dir}/${name}`).isFile;
    } catch {
      return false;
    }
  });
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** What this machine lacks to run these tests (empty: nothing). */
const missing = [
  ...(isFile(SSHD) ? [] : [SSHD]),
  ...["ssh", "ssh-keygen"].filter((name) => !onPath(name)),
];
const hasSshd = missing.length === 0;
if (!hasSshd) {
  console.warn(
    `tests/e2e/ssh.test.ts: SKIPPED: ${missing.join(", ")} not found (install Debian's ` +
      "openssh-server and openssh-client; .ci/run does)",
  );
}

/**
 * Every runner here: the local ssh's environment (no agent; no user config reaches it, see
 * -F /dev/null below), and every connection and command bounded in time.
 */
const BOUNDED = {
  baseEnv: { PATH: "/usr/bin:/bin" },
  connectTimeoutSeconds: 5,
  defaultTimeoutMs: 20_000,
};
const SSHD_START_MS = 10_000;

interface Sshd {
  port: number;
  dir: string;
  /** ssh options that trust the throwaway host key and offer `key`. */
  clientOptions(key?: string): string[];
  stop(): Promise<void>;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (out.code !== 0) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function startSshd(user: string): Promise<Sshd> {
  const dir = await Deno.makeTempDir({ prefix: "pbs-sshd-" });
  for (const name of ["host_key", "user_key", "other_key"]) {
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/${name}`]);
  }
  Deno.copyFileSync(`${dir}/user_key.pub`, `${dir}/authorized_keys`);
  const port = freePort();
  Deno.writeTextFileSync(
    `${dir}/known_hosts`,
    `[127.0.0.1]:${port} ${Deno.readTextFileSync(`${dir}/host_key.pub`).trim()}\n`,
  );
  Deno.writeTextFileSync(
    `${dir}/sshd_config`,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${dir}/host_key`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      "AuthenticationMethods publickey",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      // CI runs as root: root may log in, with the throwaway key only, to this sshd only.
      "PermitRootLogin prohibit-password",
      `AllowUsers ${user}`,
      // The temp dir lies under the world-writable /tmp.
      "StrictModes no",
      "UsePAM no",
      "",
    ].join("\n"),
  );
  // sshd refuses to start without its privilege separation directory (created by the service
  // unit on a normal install).
  if (Deno.uid() === 0) Deno.mkdirSync("/run/sshd", { recursive: true });
  const child = new Deno.Command(SSHD, {
    args: ["-D", "-e", "-f", `${dir}/sshd_config`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const logDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) log.push(chunk);
  })();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await logDone;
    await Deno.remove(dir, { recursive: true });
  };
  // Ready once the port accepts connections: bounded in tries and time.
  const deadline = Date.now() + SSHD_START_MS;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`sshd did not listen within ${SSHD_START_MS} ms: ${log.join("")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    port,
    dir,
    clientOptions: (key = `${dir}/user_key`) => [
      "-F",
      "/dev/null",
      "-i",
      key,
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "IdentityAgent=none",
      "-o",
      `UserKnownHostsFile=${dir}/known_hosts`,
      "-o",
      "StrictHostKeyChecking=yes",
    ],
    stop,
  };
}

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
    const sshd = await startSshd(user);
    const shims = await Deno.makeTempDir({ prefix: "pbs-ssh-shims-" });
    try {
      // 3600 simulated seconds per real second: a 60 s job ends within milliseconds.
      await makeShims(shims, "--scenario", "golden", "--speed", "3600");
      const home = `${shims}/state/files/home/alice`;
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

      await t.step("PbsClient through the SSH runner: submit, wait, status", async () => {
        const client = new PbsClient({
          runner,
          user: "alice",
          config: loadConfig({ PBS_MCP_SUBMIT_DIR: home, PBS_MCP_ALLOWED_DIRS: shims }, home),
          sleep: () => new Promise((resolve) => setTimeout(resolve, 50)),
        });
        const submitted = await client.submitJob({
          script: "#!/bin/bash\n#SIM runtime=60 exit=0\necho from the client\n",
          jobName: "client",
          walltime: "00:05:00",
        });
        const waited = await client.waitForJob(submitted.jobId, "finished", 30);
        assert.equal(waited.state, "F");
        assert.equal(waited.job?.exitStatus, 0);
        assert.equal(waited.job?.user, "alice", "root maps to the simulated alice");
        outputPath = waited.job!.outputPath!.replace(/^[^:/]+:/, "");
      });

      await t.step("the job's output is read through the connection", async () => {
        const path = outputPath;
        const tail = await runner.tailFile(path, { allowedDirs: [shims], maxBytes: 4096 });
        assert.equal(tail.text, "from the client\n");
        assert.equal(tail.sizeBytes, tail.text.length);
        await expectPbsError(
          runner.tailFile(path, { allowedDirs: [`${shims}/bin`], maxBytes: 4096 }),
          "permission_denied",
          /outside the directories/,
        );
        await expectPbsError(
          runner.tailFile(`${home}/nonexistent.o1`, { allowedDirs: [shims], maxBytes: 64 }),
          "invalid_input",
          /does not exist/,
        );
        await expectPbsError(
          runner.tailFile(home, { allowedDirs: [shims], maxBytes: 64 }),
          "invalid_input",
          /not a regular file/,
        );
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
