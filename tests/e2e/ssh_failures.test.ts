/**
 * ssh's own failures (exit 255) as OpenSSH prints them, mapped to typed errors that say what to
 * do; a remote command's own 255 is left to the caller.
 */
import assert from "node:assert/strict";
import { sshFailure } from "../../src/pbs/ssh_runner.ts";

const CASES: Array<[string, string, RegExp]> = [
  [
    "ssh: connect to host login1 port 22: Connection refused",
    "server_unreachable",
    /not reachable/,
  ],
  [
    "ssh: connect to host login1 port 22: Connection timed out",
    "server_unreachable",
    /not reachable/,
  ],
  [
    "ssh: Could not resolve hostname login1: Name or service not known",
    "server_unreachable",
    /cannot resolve/,
  ],
  ["Host key verification failed.", "permission_denied", /host key is unknown or has changed/],
  [
    "alice@login1: Permission denied (publickey,keyboard-interactive).",
    "permission_denied",
    /ssh -fNM login1/,
  ],
  [
    "Control socket connect(/home/alice/.ssh/cm-alice@login1:22): Connection refused\n" +
    "alice@login1: Permission denied (keyboard-interactive).",
    "permission_denied",
    /control socket .* missing or dead/,
  ],
  [
    "Received disconnect from 10.0.0.1 port 22:2: Too many authentication failures\n" +
    "Disconnected from 10.0.0.1 port 22",
    "permission_denied",
    /without a prompt/,
  ],
  ["ssh: some new failure", "server_unreachable", /ssh login1 true/],
];

Deno.test("sshFailure: OpenSSH's messages become typed errors with a next step", () => {
  for (const [stderr, kind, text] of CASES) {
    const error = sshFailure(stderr, "login1", "qstat");
    assert.ok(error, stderr);
    assert.equal(error.kind, kind, stderr);
    assert.match(`${error.message} ${error.hint}`, text, stderr);
    assert.equal(error.pbsMessage, stderr.trim());
    assert.equal(error.exitCode, 255);
  }
});

Deno.test("sshFailure: a remote command's own exit 255 is not ssh's failure", () => {
  assert.equal(
    sshFailure("qstat: cannot connect to server pbs01 (errno=15010)", "h", "qstat"),
    undefined,
  );
  assert.equal(sshFailure("", "h", "qstat"), undefined);
});
