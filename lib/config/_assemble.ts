/**
 * Builds the {@linkcode Config} from the parsed settings: each value goes where its definition's
 * `at` says (defaults were applied when parsing), then the few fields that depend on others
 * are derived.
 */
import type { Env } from "../_internal/env.ts";
import { SETTING_DEFS } from "./_schema.ts";
import { placeValue } from "./_config_path.ts";
import type { Config } from "./types.ts";

/** The `Config` of the parsed `values` (by setting name); `file` names the settings file. */
export function assemble(
  values: ReadonlyMap<string, unknown>,
  env: Env,
  file: string | undefined,
): Config {
  const draft: Record<string, unknown> = {};
  for (const def of SETTING_DEFS) placeValue(draft, def.at, values.get(def.name));
  // Every field of the table is placed, each value typed by its kind (see `SettingDef`);
  // what follows fills the derived ones.
  const placed = draft as unknown as Config;
  const { llm, router, tools, memory, storage } = placed;
  // `custom` has no variables of its own: it is the primary's LLM_API_KEY / LLM_BASE_URL.
  const providers = { ...llm.providers, custom: { apiKey: llm.apiKey, baseUrl: llm.baseUrl } };
  const primary = providers[llm.provider];
  const host = router.host;
  const bracketed = host?.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const search = tools.webSearch;
  const home = env.HOME ?? env.USERPROFILE;
  const stateDir = /^~(?=$|[/\\])/.test(storage.stateDir)
    ? (home || ".") + storage.stateDir.slice(1)
    : storage.stateDir;
  return {
    ...placed,
    llm: {
      ...llm,
      apiKey: llm.apiKey ?? primary.apiKey,
      baseUrl: llm.baseUrl ?? primary.baseUrl,
      providers,
    },
    router: { ...router, url: router.url ?? (bracketed ? `https://${bracketed}/rest` : undefined) },
    tools: {
      ...tools,
      webSearch: {
        ...search,
        provider: search.provider ??
          (search.braveApiKey
            ? "brave"
            : search.tavilyApiKey
            ? "tavily"
            : search.searxngUrl
            ? "searxng"
            : undefined),
      },
    },
    memory: { ...memory, autoRecall: memory.autoRecall ?? memory.memuApiKey !== undefined },
    storage: {
      ...storage,
      kind: storage.url.startsWith("fs:")
        ? "fs"
        : storage.url.startsWith("redis")
        ? "redis"
        : "memory",
      stateDir,
    },
    file,
  };
}
