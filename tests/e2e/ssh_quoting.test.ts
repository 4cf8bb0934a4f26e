/**
 * The SSH runner's remote command line, checked against a real POSIX shell:
 * whatever the arguments, `sh -c LINE` runs the command with exactly those
 * arguments, in the working directory and environment asked for.
 */
import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import { quoteForShell, remoteCommand, SshRunner } from "../../src/pbs/ssh_runner.ts";

/** Any text a PBS argument could carry except NUL (which argv cannot hold). */
const word = fc.oneof(
  fc.string({ unit: "binary-ascii", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 10 }),
  fc.constantFrom(
    "12[3].pbs01",
    "'",
    "\\'",
    '"$HOME"',
    "`id`",
    "$(id)",
    "a b",
    "*",
    "-x",
    "~",
    "\n",
  ),
).filter((s) => !s.includes("\0"));

async function sh(line: string, cwd?: string): Promise<{ stdout: Uint8Array; code: number }> {
  const out = await new Deno.Command("/bin/sh", {
    args: ["-c", line],
    cwd,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { stdout: out.stdout, code: out.code };
}

function nulSeparated(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  return text === "" ? [] : text.slice(0, -1).split("\0");
}

Deno.test("quoteForShell: sh -c gives back every word exactly (property, real /bin/sh)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(word, { maxLength: 6 }), async (words) => {
      // A first fixed word, so that printf runs its format once per word even for none.
      const line = `printf '%s\\0' start ${words.map(quoteForShell).join(" ")}`;
      const { stdout, code } = await sh(line);
      assert.equal(code, 0);
      assert.deepEqual(nulSeparated(stdout), ["start", ...words]);
    }),
    { numRuns: 60 },
  );
});

Deno.test("remoteCommand: the PBS command gets its argv, cwd and environment (property, real /bin/sh)", async () => {
  const root = await Deno.makeTempDir({ prefix: "pbs-ssh-quote-" });
  try {
    // A stand-in qstat under PBS_EXEC/bin that reports what it received.
    Deno.mkdirSync(`${root}/pbs/bin`, { recursive: true });
    Deno.writeTextFileSync(
      `${root}/pbs/bin/qstat`,
      `#!/bin/sh\npwd\nprintf '%s\\n' "$LC_ALL" "$PBS_TEST"\nprintf '%s\\0' start "$@"\n`,
    );
    Deno.chmodSync(`${root}/pbs/bin/qstat`, 0o755);
    const work = `${root}/dir with 'quotes' and $dollar`;
    Deno.mkdirSync(work);
    const valueWithoutNewline = word.filter((s) => !s.includes("\n"));
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { maxLength: 5 }),
        valueWithoutNewline,
        async (args, value) => {
          const line = remoteCommand(["qstat", ...args], {
            cwd: work,
            env: { PBS_TEST: value },
          }, `${root}/pbs/`);
          const { stdout, code } = await sh(line);
          assert.equal(code, 0);
          const text = new TextDecoder().decode(stdout);
          const [pwd, lcAll, got, ...rest] = text.split("\n");
          assert.equal(pwd, work);
          assert.equal(lcAll, "C");
          assert.equal(got, value);
          const argvBytes = new TextEncoder().encode(rest.join("\n"));
          assert.deepEqual(nulSeparated(argvBytes), ["start", ...args]);
        },
      ),
      { numRuns: 40 },
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("remoteCommand: array ids and option-like words stay single arguments", () => {
  assert.equal(
    remoteCommand(["qstat", "-f", "12[3].pbs01", "x'y"]),
    `exec 'env' 'LC_ALL=C' 'qstat' '-f' '12[3].pbs01' 'x'\\''y'`,
  );
  assert.throws(
    () => remoteCommand(["qstat"], { env: { "A;B": "1" } }),
    /Not an environment variable name/,
  );
});

Deno.test("SshRunner: a profile's allocation command runs by name, PBS commands under pbs_exec; start-up noise is dropped", async () => {
  // A stand-in `ssh` that behaves like a login whose ~/.bashrc talks: noise on both streams, then
  // what the remote shell would print, here the remote command line it was given (last argument)
  // after the runner's mark lines.
  const dir = await Deno.makeTempDir({ prefix: "pbs-fake-ssh-" });
  try {
    const fake = `${dir}/ssh`;
    await Deno.writeTextFile(
      fake,
      [
        "#!/bin/sh",
        "for last; do :; done",
        "echo 'Lmod: modules loaded'; echo 'bashrc warning' >&2",
        "printf '@@pbs-mcp-output@@\\n'; printf '@@pbs-mcp-output@@\\n' >&2",
        'printf "%s" "${last#*>&2; }"',
        "",
      ].join("\n"),
    );
    await Deno.chmod(fake, 0o755);
    const runner = new SshRunner(
      { host: "login1", pbsExec: "/opt/pbs" },
      { ssh: fake, extraPrograms: ["sbank-list-allocations"], baseEnv: { PATH: "/usr/bin:/bin" } },
    );
    const allocation = await runner.run(["sbank-list-allocations", "-u", "alice"]);
    assert.equal(allocation.stdout, `exec 'env' 'LC_ALL=C' 'sbank-list-allocations' '-u' 'alice'`);
    assert.equal(allocation.stderr, "", "the noise before the mark is dropped from stderr too");
    const qstat = await runner.run(["qstat", "-B"]);
    assert.equal(qstat.stdout, `exec 'env' 'LC_ALL=C' '/opt/pbs/bin/qstat' '-B'`);
    // Without the profile's command listed, it is not a command this runner may run.
    const plain = new SshRunner({ host: "login1" }, { ssh: fake });
    await assert.rejects(plain.run(["sbank-list-allocations"]), /not a PBS command|not allowed/i);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SshRunner: a PBS command missing on the login node names pbs_exec", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pbs-fake-ssh-" });
  try {
    const fake = `${dir}/ssh`;
    // What a login node without PBS on its PATH answers: env's own message, exit 127.
    await Deno.writeTextFile(
      fake,
      "#!/bin/sh\nprintf '@@pbs-mcp-output@@\\n'; printf '@@pbs-mcp-output@@\\n' >&2\n" +
        "echo \"env: 'qstat': No such file or directory\" >&2; exit 127\n",
    );
    await Deno.chmod(fake, 0o755);
    const runner = new SshRunner({ host: "login1" }, {
      ssh: fake,
      baseEnv: { PATH: "/usr/bin:/bin" },
    });
    await assert.rejects(runner.run(["qstat", "-B"]), (error: unknown) => {
      const e = error as { kind?: string; message?: string; hint?: string };
      assert.equal(e.kind, "command_not_found");
      assert.match(e.message ?? "", /^qstat was not found on login1 \(on the remote PATH\)/);
      assert.match(e.hint ?? "", /pbs_exec/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
