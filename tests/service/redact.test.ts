import assert from "node:assert/strict";
import fc from "../fast_check.ts";
import {
  isSecretName,
  MASK,
  redactArgv,
  redactText,
  redactValue,
} from "../../src/service/redact.ts";

Deno.test("redaction", async (t) => {
  await t.step("secret names are recognised, ordinary ones are not", () => {
    for (const name of ["DB_PASSWORD", "GITHUB_TOKEN", "api-key", "SSH_KEY", "client_secret"]) {
      assert.ok(isSecretName(name), name);
    }
    for (
      const name of ["PWD", "AUTHOR", "PBS_O_WORKDIR", "HOME", "keyboard", "OMP_NUM_THREADS", "key"]
    ) {
      assert.ok(!isSecretName(name), name);
    }
  });

  await t.step("NAME=value lists, options and prose", () => {
    assert.equal(
      redactText("PBS_O_HOME=/home/a,API_TOKEN=abc123,PATH=/usr/bin"),
      `PBS_O_HOME=/home/a,API_TOKEN=${MASK},PATH=/usr/bin`,
    );
    assert.equal(redactText("run --password hunter2 --n 3"), `run --password ${MASK} --n 3`);
    assert.equal(redactText("password: hunter2"), `password: ${MASK}`);
    assert.equal(redactText("the token expired yesterday"), "the token expired yesterday");
  });

  await t.step("credential formats are masked wherever they appear", () => {
    const samples = [
      "AKIAIOSFODNN7EXAMPLE",
      "ghp_" + "a".repeat(36),
      "sk-" + "B".repeat(40),
      "Authorization: Bearer abcdefghijklmnopqrstuvwxyz",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----",
    ];
    for (const secret of samples) {
      const out = redactText(`before ${secret} after`);
      assert.ok(out.includes(MASK), out);
      assert.ok(!out.includes(secret), out);
    }
    assert.equal(
      redactText("git clone https://alice:s3cret@example.org/repo"),
      `git clone https://alice:${MASK}@example.org/repo`,
    );
  });

  await t.step("argv: the word after a secret option is masked", () => {
    assert.deepEqual(redactArgv(["qsub", "-v", "TOKEN=x1y2z3", "--", "app", "--api-key", "k"]), [
      "qsub",
      "-v",
      `TOKEN=${MASK}`,
      "--",
      "app",
      "--api-key",
      MASK,
    ]);
  });

  await t.step("values: secret-named keys masked, nested strings scanned, input untouched", () => {
    const input = {
      env: { HOME: "/h", MY_SECRET: "x" },
      list: ["ok", "password=abc"],
      __proto__: { polluted: true },
    };
    const out = redactValue(input) as { env: Record<string, string>; list: string[] };
    assert.equal(out.env.MY_SECRET, MASK);
    assert.equal(out.env.HOME, "/h");
    assert.deepEqual([...out.list], ["ok", `password=${MASK}`]);
    assert.equal(input.env.MY_SECRET, "x");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    const own = redactValue(JSON.parse('{"__proto__": {"x": 1}}')) as Record<string, unknown>;
    assert.ok(Object.hasOwn(own, "__proto__"), "a __proto__ key stays an own key");
    assert.equal((own as { x?: number }).x, undefined);
  });

  await t.step("property: a planted secret value never survives", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("TOKEN", "DB_PASSWORD", "api_key", "CLIENT_SECRET"),
        fc.stringMatching(/^[A-Za-z0-9]{6,40}$/),
        fc.string({ maxLength: 40 }).filter((s) => !/[=:]/.test(s)),
        (name, value, noise) => {
          const out = redactText(`${noise} ${name}=${value} ${noise}`);
          assert.ok(!out.includes(`${name}=${value}`));
          assert.ok(out.includes(`${name}=${MASK}`));
        },
      ),
    );
  });
});
