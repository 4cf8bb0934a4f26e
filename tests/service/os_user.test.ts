import assert from "node:assert/strict";
import { DEMO_DEFAULT_USER, demoUser, osUser, passwdEntry } from "../../src/service/os_user.ts";

const PASSWD = [
  "root:x:0:0:root:/root:/bin/bash",
  "# a comment:x:1000:1000::/nowhere:/bin/sh",
  "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash",
  "broken line",
  "nohome:x:1001:1001:::/bin/false",
].join("\n");

async function idUn(): Promise<string> {
  const { stdout } = await new Deno.Command("id", { args: ["-un"] }).output();
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("the caller is the OS user, not $USER", async (t) => {
  await t.step("passwd entries by uid", () => {
    assert.deepEqual(passwdEntry(PASSWD, 0), { name: "root", home: "/root" });
    assert.deepEqual(passwdEntry(PASSWD, 1000), { name: "alice", home: "/home/alice" });
    assert.deepEqual(passwdEntry(PASSWD, 1001), { name: "nohome", home: undefined });
    assert.equal(passwdEntry(PASSWD, 4242), undefined);
  });

  await t.step("osUser reads this process's uid in the passwd file", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/passwd`;
      await Deno.writeTextFile(file, `someone:x:${Deno.uid()}:0::/home/someone:/bin/sh\n`);
      assert.deepEqual(await osUser(file), { name: "someone", home: "/home/someone" });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("an account the passwd file lacks (LDAP, SSSD): id -un answers", async () => {
    const user = await osUser("/nonexistent/passwd");
    assert.equal(user.name, await idUn());
  });
});

Deno.test("demo mode's simulated caller", () => {
  assert.equal(demoUser("bob", { USER: "carol" }), "bob");
  assert.equal(demoUser(undefined, { USER: "carol" }), "carol");
  assert.equal(demoUser(undefined, { LOGNAME: "dave" }), "dave");
  // PBS refuses root's jobs; unset or unusable names are replaced too.
  assert.equal(demoUser(undefined, { USER: "root" }), DEMO_DEFAULT_USER);
  assert.equal(demoUser(undefined, {}), DEMO_DEFAULT_USER);
  assert.equal(demoUser(undefined, { USER: "two words" }), DEMO_DEFAULT_USER);
  assert.notEqual(DEMO_DEFAULT_USER, "root");
});
