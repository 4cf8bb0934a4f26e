/**
 * Confirmation of destructive actions by the human behind the client.
 *
 * The policy is fixed at start-up (`--confirm`):
 * - `never`: never ask;
 * - `elicit` (default): ask when the client can ask its user; a client that
 *   cannot gets the action done, recorded as `unconfirmed`;
 * - `require`: ask, and refuse when the client cannot ask.
 *
 * How the question reaches the human (MCP elicitation today) is the
 * transport's business: it comes in as an `Asker`.
 */
import { PbsError } from "../pbs/errors.ts";
import type { ConfirmationOutcome } from "./audit.ts";

export const CONFIRM_MODES = ["never", "elicit", "require"] as const;
export type ConfirmMode = typeof CONFIRM_MODES[number];

/** The human's answer: yes, no, or the dialog was dismissed. */
export type Answer = "accept" | "decline" | "cancel";

export interface Asker {
  /** Whether the client can put a question to its user. */
  canAsk(): boolean;
  ask(question: string): Promise<Answer>;
}

export interface Confirmation {
  outcome: ConfirmationOutcome;
  /** The question put to the human, when one was. */
  question?: string;
  /** Their answer, when there was one. */
  answer?: Answer;
}

/**
 * Asks (or not) before a destructive action. Resolves when the action may go
 * ahead; throws `not_confirmed` when it must not, naming what was asked and
 * answered, so nothing is changed.
 */
export async function confirmAction(
  mode: ConfirmMode,
  question: string,
  asker: Asker,
): Promise<Confirmation> {
  if (mode === "never") return { outcome: "not_needed" };
  if (!asker.canAsk()) {
    if (mode === "elicit") return { outcome: "unconfirmed" };
    throw new PbsError({
      kind: "not_confirmed",
      message: `this server requires a person to confirm "${question}", and this client ` +
        "cannot ask (it does not support MCP elicitation); nothing was changed",
      hint: "Use a client that supports elicitation, do it yourself at a terminal, or ask the " +
        "administrator to start the server with --confirm elicit.",
    });
  }
  const answer = await asker.ask(question);
  if (answer === "accept") return { outcome: "confirmed", question, answer };
  throw new PbsError({
    kind: "not_confirmed",
    message: `asked "${question}"; the user ${
      answer === "decline" ? "declined" : "dismissed the question"
    }, so nothing was changed`,
    hint: "Do not retry unless the user asks for it again.",
  });
}
