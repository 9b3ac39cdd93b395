/**
 * `doctor`'s provider check: the cheapest authenticated call, auth and reachability told apart.
 * @module
 */
import { errorMessage, isAgentError, ProviderError } from "../errors.ts";
import { collectChat } from "./collect_chat.ts";
import type { ChatOptions, ProbeResult, Provider } from "./types.ts";

/**
 * Probes a provider: its `probe()` (usually GET the model list) when it has one and the
 * endpoint exists, else a 1-token chat request. Never throws.
 */
export async function probeProvider(
  provider: Provider,
  options: ChatOptions = {},
): Promise<ProbeResult> {
  try {
    if (provider.probe) {
      const result = await provider.probe(options);
      if (!result.unsupported) return result;
    }
    await collectChat(
      provider.chat(
        { messages: [{ role: "user", content: "ping" }], maxTokens: 1, stream: false },
        options,
      ),
    );
    return { ok: true, detail: `${provider.id} answered a 1-token request` };
  } catch (error) {
    if (error instanceof ProviderError || (isAgentError(error) && "kind" in error)) {
      const e = error as ProviderError;
      const hint = e.kind === "auth"
        ? " (check the API key)"
        : e.kind === "network" || e.kind === "timeout"
        ? " (check the base URL and network)"
        : "";
      const result: ProbeResult = { ok: false, kind: e.kind, detail: `${e.message}${hint}` };
      if (e.status !== undefined) result.status = e.status;
      return result;
    }
    return {
      ok: false,
      kind: "unknown",
      detail: `Cannot probe provider "${provider.id}": ${errorMessage(error)}`,
    };
  }
}
