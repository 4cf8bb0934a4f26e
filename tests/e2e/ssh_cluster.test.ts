/**
 * An ssh cluster of the configuration file, end to end through main.ts as a
 * client starts it: a real `sshd` on loopback (tests/e2e/sshd_support.ts), the
 * simulator's shims as the login node's PBS, and a `simulator: tiny` cluster
 * beside it. `main.ts doctor` checks both, the ssh one through its login
 * node. `main.ts permissions --config FILE` prints the flags; the server
 * runs under exactly those, and an MCP client on stdio lists the clusters,
 * submits to the ssh one, waits, reads status and output (through the same
 * connection), and uses the simulated one in the same session.
 *
 * "Me" must be the same user for the server (`id -un` on the login node) and
 * for PBS there (the shims act as `--user`, the login name). PBS refuses
 * root's jobs, so as root (CI) the test logs in as SSH_TEST_USER, an ordinary
 * user .ci/run creates; without it, or without sshd, the test is skipped with
 * a message.
 */
import assert from "node:assert/strict";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { osUser } from "../../src/service/os_user.ts";
import { DENO_DIR, printedPermissions, stdioServer } from "./demo_child.ts";
import { makeShims } from "./shims_support.ts";
import { sshdMissing, sshdSkipMessage, startSshd } from "./sshd_support.ts";

const FILE = "tests/e2e/ssh_cluster.test.ts";
/** The ordinary user .ci/run creates when CI runs as root. */
const SSH_TEST_USER = "pbs-mcp-ssh";
const REPO = new URL("../../", import.meta.url).pathname;

async function idOf(name: string): Promise<{ uid: number; gid: number } | undefined> {
  const ask = async (flag: string) => {
    const out = await new Deno.Command("id", { args: [flag, name], stderr: "null" }).output();
    return out.code === 0 ? Number(new TextDecoder().decode(out.stdout).trim()) : undefined;
  };
  const uid = await ask("-u");
  const gid = await ask("-g");
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/** Whether another user can reach `path` (every directory above it searchable) and read it. */
function reachableByOthers(path: string, bits = 0o004): boolean {
  const dirs = path.replace(/\/+$/, "").split("/").slice(0, -1).map((_, i, parts) =>
    parts.slice(0, i + 1).join("/") || "/"
  );
  return dirs.every((dir) => ((Deno.statSync(dir).mode ?? 0) & 0o001) !== 0) &&
    ((Deno.statSync(path).mode ?? 0) & bits) !== 0;
}

/** Who logs in to the test sshd, and the uid/gid to give the shims to; or why not. */
async function loginUser(): Promise<
  { name: string; owner?: { uid: number; gid: number } } | string
> {
  if (Deno.uid() !== 0) return { name: (await osUser()).name };
  const owner = await idOf(SSH_TEST_USER);
  if (!owner) {
    return `running as root, and the ordinary user ${SSH_TEST_USER} to log in as does not ` +
      "exist (.ci/run creates it: useradd --create-home --shell /bin/sh --password '*' " +
      SSH_TEST_USER + ")";
  }
  return { name: SSH_TEST_USER, owner };
}

const login = sshdMissing.length === 0 ? await loginUser() : sshdSkipMessage(FILE);
if (typeof login === "string") {
  // .ci/run installs sshd and creates the user: in CI a skip would hide a broken set-up.
  if (Deno.env.get("CI")) throw new Error(`${FILE}: cannot run in CI: ${login}`);
  console.warn(login.startsWith(FILE) ? login : `${FILE}: SKIPPED: ${login}`);
}

/**
 * The shims run as the login user, so that user must reach the Deno binary and
 * the simulator's sources: where this checkout or Deno sits in a private
 * directory (a clone under /root), the test copies them beside the shims.
 */
async function reachableShims(shims: string, root: string): Promise<void> {
  let deno = Deno.execPath();
  let repo = REPO.replace(/\/+$/, "");
  if (!reachableByOthers(deno, 0o001)) {
    await Deno.copyFile(deno, `${root}/deno`);
    await Deno.chmod(`${root}/deno`, 0o755);
    deno = `${root}/deno`;
  }
  if (!reachableByOthers(`${repo}/sim/shims_main.ts`)) {
    await Deno.mkdir(`${root}/repo`);
    for (const dir of ["sim", "src"]) {
      const copy = await new Deno.Command("cp", { args: ["-R", `${repo}/${dir}`, `${root}/repo/`] })
        .output();
      assert.equal(copy.code, 0, new TextDecoder().decode(copy.stderr));
    }
    await new Deno.Command("chmod", { args: ["-R", "a+rX", `${root}/repo`] }).output();
    repo = `${root}/repo`;
  }
  for (const entry of Deno.readDirSync(`${shims}/bin`)) {
    const path = `${shims}/bin/${entry.name}`;
    Deno.writeTextFileSync(
      path,
      Deno.readTextFileSync(path)
        .replaceAll(Deno.execPath(), deno)
        .replaceAll(`${REPO.replace(/\/+$/, "")}/sim/`, `${repo}/sim/`),
    );
  }
}

function flagValues(args: string[], kind: string): string[] {
  return args.find((a) => a.startsWith(`--allow-${kind}=`))?.split("=")[1].split(",") ?? [];
}

function textOf(result: CallToolResult): string {
  return (result.content as { text: string }[]).map((c) => c.text).join("\n");
}

Deno.test({
  name: "main.ts with an ssh cluster and a simulated one: permissions, tools, output",
  ignore: typeof login === "string",
  async fn(t) {
    const user = login as { name: string; owner?: { uid: number; gid: number } };
    const sshd = await startSshd(user.name);
    const root = await Deno.makeTempDir({ prefix: "pbs-ssh-cluster-" });
    try {
      const shims = `${root}/shims`;
      const home = `${root}/home`;
      await Deno.mkdir(home);
      // 3600 simulated seconds per real second: a 60 s job ends within milliseconds.
      await makeShims(shims, "--scenario", "golden", "--speed", "3600", "--user", user.name);
      const remoteHome = `${shims}/state/files/home/${user.name}`;
      if (user.owner) {
        // The shims run as the login user: their state is theirs, and their Deno cache their
        // own (the default under their home), not the one of whoever wrote them.
        for (const entry of Deno.readDirSync(`${shims}/bin`)) {
          const path = `${shims}/bin/${entry.name}`;
          Deno.writeTextFileSync(
            path,
            Deno.readTextFileSync(path).replace(/^DENO_DIR=.*\nexport DENO_DIR\n/m, ""),
          );
        }
        Deno.chmodSync(root, 0o711);
        await reachableShims(shims, root);
        const chown = await new Deno.Command("chown", {
          args: ["-R", `${user.owner.uid}:${user.owner.gid}`, shims],
        }).output();
        assert.equal(chown.code, 0, new TextDecoder().decode(chown.stderr));
      }
      const config = `${root}/config.yaml`;
      // JSON is YAML: the file as a person would write it, in flow style.
      await Deno.writeTextFile(
        config,
        JSON.stringify(
          {
            default_cluster: "small",
            clusters: {
              small: { simulator: "tiny" },
              far: {
                ssh: {
                  host: "127.0.0.1",
                  port: sshd.port,
                  user: user.name,
                  options: sshd.clientOptions(),
                },
                pbs_exec: shims,
                allowed_dirs: [`${shims}/state/files`],
                submit_dir: remoteHome,
              },
            },
          },
          null,
          2,
        ),
      );
      const env = {
        HOME: home,
        USER: "alice",
        PATH: "/usr/bin:/bin",
        DENO_DIR,
        PBS_MCP_CACHE_TTL_MS: "0",
      };
      const { args } = JSON.parse(
        await printedPermissions(env, true, ["--config", config]),
      ) as { args: string[] };

      await t.step("the printed flags grant ssh by path and what it inherits", () => {
        // The first ssh on the server's PATH (/usr/bin:/bin).
        const ssh = ["/usr/bin/ssh", "/bin/ssh"].find((p) => Deno.statSync(p).isFile);
        assert.deepEqual(flagValues(args, "run"), [ssh], "ssh alone may run");
        const env = flagValues(args, "env");
        for (const name of ["SSH_AUTH_SOCK", "KRB5CCNAME", "PATH", "USER", "LOGNAME"]) {
          assert.ok(env.includes(name), name);
        }
        assert.deepEqual(flagValues(args, "sys"), ["uid"]);
        const readable = flagValues(args, "read");
        assert.ok(
          !readable.some((dir) => shims === dir || shims.startsWith(`${dir}/`)),
          `the login node's files are read through ssh, not granted here: ${readable}`,
        );
        assert.ok(!args.includes("--allow-all") && !args.includes("--allow-run"));
      });

      await t.step("doctor checks both clusters, the ssh one through its login node", async () => {
        const task = JSON.parse(Deno.readTextFileSync(`${REPO}deno.json`)).tasks.doctor as string;
        const flags = task.split(/\s+/).slice(2, -2); // between `deno run` and `main.ts doctor`
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", ...flags, `${REPO}main.ts`, "doctor", "--config", config],
          env,
          clearEnv: true,
          stdin: "null",
        }).output();
        const lines = new TextDecoder().decode(out.stdout).trimEnd().split("\n");
        const where = `${user.name}@127.0.0.1`;
        for (
          const line of [
            `ok   [far] login node: ${where} answers through ssh: you are ${user.name} there`,
            "ok   [far] PBS server: vm answers (qstat -Bf)",
            `ok   [far] privileges: you are ${user.name}, a PBS user`,
            `ok   [far] allowed directories: ${shims}/state/files on the login node (read ` +
            "through ssh; whether they exist is not checked from here: get_job_output says so " +
            "when one is missing)",
            `ok   [far] submit directory: qsub runs in ${remoteHome} on the login node`,
            "all checks passed",
          ]
        ) assert.ok(lines.includes(line), `${line}\nnot in:\n${lines.join("\n")}`);
        assert.deepEqual(lines.filter((l) => l.startsWith("FAIL")), []);
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      });

      const { client, transport, stderr } = stdioServer(args, env, {
        cwd: root,
        name: "e2e-ssh-cluster",
      });
      const call = async (name: string, args: Record<string, unknown>) => {
        const result = await client.callTool({ name, arguments: args }) as CallToolResult;
        assert.ok(!result.isError, `${name}: ${textOf(result)}`);
        return result;
      };
      try {
        await client.connect(transport);

        await t.step("list_clusters: the ssh cluster answers, as the remote user", async () => {
          const listed = await call("list_clusters", {});
          const clusters = (listed.structuredContent as {
            clusters: Array<
              { name: string; reachable: boolean; user: string; pbs_version?: string }
            >;
          }).clusters;
          const far = clusters.find((c) => c.name === "far");
          assert.equal(far?.reachable, true, textOf(listed));
          assert.equal(far?.user, user.name, "the login node's id -un");
          assert.match(far?.pbs_version ?? "", /^\d+\.\d+/);
          assert.deepEqual(clusters.map((c) => c.name), ["small", "far"]);
        });

        let jobId = "";
        await t.step("submit_job on the ssh cluster, wait, status", async () => {
          const submitted = await call("submit_job", {
            cluster: "far",
            script: "#!/bin/bash\n#SIM runtime=60 exit=0\necho hello from far\necho second line\n",
            job_name: "over-ssh",
            walltime: "00:05:00",
          });
          jobId = (submitted.structuredContent as { job_id: string }).job_id;
          assert.match(jobId, /^\d+\.vm$/, textOf(submitted));
          const waited = await call("wait_for_job", {
            cluster: "far",
            job_id: jobId,
            until: "finished",
            timeout_seconds: 30,
          });
          assert.equal((waited.structuredContent as { reached: boolean }).reached, true);
          const status = await call("get_job_status", { cluster: "far", job_id: jobId });
          const text = textOf(status);
          assert.match(text, /^\[far\] /);
          assert.match(text, /over-ssh/);
          assert.match(JSON.stringify(status.structuredContent), /"state":"F"/);
        });

        await t.step("me is the remote user: list_jobs finds the job", async () => {
          const listed = await call("list_jobs", {
            cluster: "far",
            user_filter: "me",
            include_finished: true,
          });
          assert.match(JSON.stringify(listed.structuredContent), new RegExp(jobId.split(".")[0]));
        });

        await t.step("get_job_output reads the file on the login node", async () => {
          // Through ssh: the server may not read the shims' directory itself (the flags above).
          const output = await call("get_job_output", { cluster: "far", job_id: jobId });
          const out = output.structuredContent as { text: string; path: string };
          assert.equal(out.text, "hello from far\nsecond line");
          assert.ok(out.path.startsWith(`${remoteHome}/`), out.path);
        });

        await t.step("a script_path is read on the login node too", async () => {
          const script = `${remoteHome}/from-file.sh`;
          await Deno.writeTextFile(script, "#!/bin/bash\n#PBS -N from-file\n#SIM runtime=30\n");
          const submitted = await call("submit_job", {
            cluster: "far",
            script_path: script,
            walltime: "00:05:00",
          });
          const id = (submitted.structuredContent as { job_id: string }).job_id;
          const status = await call("get_job_status", { cluster: "far", job_id: id });
          assert.match(textOf(status), /from-file/, "the #PBS line of the file read over ssh");
          const missing = await client.callTool({
            name: "submit_job",
            arguments: { cluster: "far", script_path: `${remoteHome}/nope.sh` },
          }) as CallToolResult;
          assert.equal(missing.isError, true);
          assert.match(textOf(missing), /nope\.sh does not exist .*on the login node 127\.0\.0\.1/);
        });

        await t.step("the simulated cluster answers in the same session", async () => {
          const info = await call("get_server_info", { cluster: "small" });
          assert.match(JSON.stringify(info.structuredContent), /"name":"tiny"/);
        });
      } catch (error) {
        throw new Error(`${error}\nserver stderr:\n${stderr()}`);
      } finally {
        await client.close();
      }
    } finally {
      await sshd.stop();
      await Deno.remove(root, { recursive: true });
    }
  },
});
