import assert from "node:assert/strict";
import { PbsError } from "../../src/pbs/errors.ts";
import { errorDetailsOf, errorResult } from "../../src/mcp/tool_kit.ts";

function textOf(result: ReturnType<typeof errorResult>): string {
  assert.equal(result.content.length, 1);
  const [block] = result.content;
  assert.equal(block.type, "text");
  return (block as { text: string }).text;
}

Deno.test("errorResult", async (t) => {
  await t.step("a PbsError keeps kind, message, hint and PBS's own text", () => {
    const result = errorResult(
      new PbsError({
        kind: "unknown_job",
        message: "job 12.pbs01 does not exist",
        hint: "Check the id with list_jobs.",
        pbsMessage: "qstat: Unknown Job Id 12.pbs01",
        command: "qstat",
        exitCode: 153,
        pbsErrno: 15001,
      }),
    );
    assert.equal(result.isError, true);
    // Clients validate structuredContent against the output schema even on errors.
    assert.equal(result.structuredContent, undefined);
    assert.deepEqual(errorDetailsOf(result), {
      kind: "unknown_job",
      message: "job 12.pbs01 does not exist",
      hint: "Check the id with list_jobs.",
      pbsMessage: "qstat: Unknown Job Id 12.pbs01",
      command: "qstat",
      exitCode: 153,
    });
    assert.equal(
      textOf(result),
      [
        "Error (unknown_job): job 12.pbs01 does not exist",
        "PBS said: qstat: Unknown Job Id 12.pbs01",
        "Hint: Check the id with list_jobs.",
      ].join("\n"),
    );
  });

  await t.step("optional fields are left out when PBS said nothing", () => {
    const result = errorResult(
      new PbsError({ kind: "invalid_input", message: "bad walltime", hint: "Use HH:MM:SS." }),
    );
    assert.deepEqual(errorDetailsOf(result), {
      kind: "invalid_input",
      message: "bad walltime",
      hint: "Use HH:MM:SS.",
    });
    assert.equal(textOf(result), "Error (invalid_input): bad walltime\nHint: Use HH:MM:SS.");
  });

  await t.step("exit code 0 is still reported", () => {
    const result = errorResult(
      new PbsError({ kind: "parse_error", message: "m", hint: "h", command: "qstat", exitCode: 0 }),
    );
    const error = errorDetailsOf(result) as unknown as Record<string, unknown>;
    assert.equal(error.exitCode, 0);
  });

  await t.step("a plain Error becomes kind pbs_error with no stack trace", () => {
    const thrown = new TypeError("cannot read properties of undefined (reading 'queue')");
    assert.ok(thrown.stack && thrown.stack.includes("at "));
    const result = errorResult(thrown);
    assert.equal(result.isError, true);
    const error = errorDetailsOf(result) as unknown as Record<string, unknown>;
    assert.equal(error.kind, "pbs_error");
    assert.equal(error.message, "cannot read properties of undefined (reading 'queue')");
    assert.equal(typeof error.hint, "string");
    const serialised = JSON.stringify(result);
    assert.ok(!serialised.includes(thrown.stack!), "the stack trace leaked into the result");
    assert.ok(!/\n\s+at /.test(textOf(result)), "a stack frame leaked into the text");
    assert.match(textOf(result), /^Error \(pbs_error\): cannot read properties/);
  });

  await t.step("anything else thrown is shown as text", () => {
    const result = errorResult("qstat exploded");
    const error = errorDetailsOf(result) as unknown as Record<string, unknown>;
    assert.equal(error.kind, "pbs_error");
    assert.equal(error.message, "qstat exploded");
  });
});
