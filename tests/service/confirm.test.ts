import assert from "node:assert/strict";
import { isPbsError } from "../../src/pbs/errors.ts";
import { type Answer, type Asker, confirmAction } from "../../src/service/confirm.ts";

function asker(canAsk: boolean, answer: Answer = "accept"): Asker & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    canAsk: () => canAsk,
    ask(question) {
      asked.push(question);
      return Promise.resolve(answer);
    },
  };
}

function notConfirmed(text: RegExp) {
  return (error: unknown) => {
    assert.ok(isPbsError(error));
    assert.equal(error.kind, "not_confirmed");
    assert.match(error.message, text);
    assert.match(error.message, /nothing was changed/);
    return true;
  };
}

Deno.test("confirmation policy", async (t) => {
  await t.step("never: nobody is asked", async () => {
    const a = asker(true, "decline");
    assert.deepEqual(await confirmAction("never", "Delete 1?", a), { outcome: "not_needed" });
    assert.deepEqual(a.asked, []);
  });

  await t.step("elicit: a capable client asks, and its answer decides", async () => {
    const yes = asker(true, "accept");
    assert.deepEqual(await confirmAction("elicit", "Delete 1?", yes), {
      outcome: "confirmed",
      question: "Delete 1?",
      answer: "accept",
    });
    assert.deepEqual(yes.asked, ["Delete 1?"]);
    await assert.rejects(
      confirmAction("elicit", "Delete 1?", asker(true, "decline")),
      notConfirmed(/declined/),
    );
    await assert.rejects(
      confirmAction("elicit", "Delete 1?", asker(true, "cancel")),
      notConfirmed(/dismissed/),
    );
  });

  await t.step("elicit: an incapable client proceeds unconfirmed", async () => {
    assert.deepEqual(await confirmAction("elicit", "Delete 1?", asker(false)), {
      outcome: "unconfirmed",
    });
  });

  await t.step("require: an incapable client is refused", async () => {
    await assert.rejects(
      confirmAction("require", "Delete 1?", asker(false)),
      notConfirmed(/cannot ask/),
    );
    assert.equal((await confirmAction("require", "Q", asker(true))).outcome, "confirmed");
  });
});
