/**
 * The action of a `mikroclaw <command> [action] [operand]` line (`changes show ID`,
 * `integrations info NAME`), checked the same way for every such command.
 * @module
 */
import { UsageError } from "./_args.ts";

/** How {@linkcode checkAction} reads one command's actions. */
export interface ActionSpec {
  /** The command's name, for messages. */
  command: string;
  /** Every action; the first is the default, and the only one that takes no operand. */
  actions: readonly string[];
  /** The actions as the "expected …" of an unknown one says them. */
  expected: string;
  /** What a missing operand is called (`a change id`, `a NAME`). */
  operand: string;
}

/**
 * The action (the default when none is given), or a {@linkcode UsageError} when it is unknown,
 * lacks its operand, or is the default action given an operand.
 */
export function checkAction(
  spec: ActionSpec,
  action: string | undefined,
  operand: string | undefined,
): string {
  const [list] = spec.actions;
  const chosen = action ?? list!;
  if (!spec.actions.includes(chosen)) {
    throw new UsageError(`Unknown action "${chosen}" (expected ${spec.expected})`);
  }
  if (chosen !== list && operand === undefined) {
    throw new UsageError(`${spec.command} ${chosen} needs ${spec.operand}`);
  }
  if (chosen === list && operand !== undefined) {
    throw new UsageError(
      `Unexpected argument ${JSON.stringify(operand)} for "${spec.command} ${list}"`,
    );
  }
  return chosen;
}
