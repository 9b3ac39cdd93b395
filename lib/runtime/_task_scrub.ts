/**
 * Scrubbing of a router or skill task's outcome (internal; loaded with the first such task).
 * @module
 */
import { scrubError, scrubSecrets } from "../secrets/scrub.ts";

/** The task's result, or its error, without any of `secrets`. */
export async function scrubTaskOutcome(
  outcome: Promise<string | Record<string, unknown>>,
  secrets: readonly string[],
): Promise<string | Record<string, unknown>> {
  try {
    return scrubResult(await outcome, secrets);
  } catch (error) {
    throw scrubError(error, secrets);
  }
}

/** A task result without any secret; an object is scrubbed as its JSON text. */
function scrubResult(
  result: string | Record<string, unknown>,
  secrets: readonly string[],
): string | Record<string, unknown> {
  if (typeof result === "string") return scrubSecrets(result, secrets);
  const text = JSON.stringify(result);
  const clean = scrubSecrets(text, secrets);
  if (clean === text) return result;
  try {
    return JSON.parse(clean) as Record<string, unknown>;
  } catch {
    return { result: clean };
  }
}
