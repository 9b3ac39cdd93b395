import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  collectSecrets,
  type Config,
  describeConfig,
  isLoopbackHost,
  loadConfig,
  SETTINGS,
} from "../../lib/config/mod.ts";
import { ConfigError } from "../../lib/errors.ts";
import { encryptValue, isSecret } from "../../lib/secrets/mod.ts";

const HEX_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const V1 = "ENCRYPTED:v1:fr/AgJyGDAb7cPqZ:w28zWDuJJ37L:6HpXk20TkapXdCr70m13/w==";

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    return error;
  }
  assert.fail("expected a ConfigError");
}

function issueOf(error: ConfigError, key: string): string {
  const issue = error.issues.find((i) => i.key === key);
  assert.ok(issue, `no issue for ${key} in: ${error.message}`);
  return issue.message;
}

describe("loadConfig() defaults", () => {
  it("gives safe defaults with an empty environment", async () => {
    const c = await loadConfig({ env: {} });
    assert.equal(c.llm.provider, "openrouter");
    assert.equal(c.llm.streaming, true);
    assert.equal(c.gateway.port, 18789);
    assert.equal(c.gateway.bind, "127.0.0.1");
    assert.equal(c.gateway.pairingRequired, true);
    assert.equal(c.gateway.tokenTtlSeconds, 30 * 86400);
    assert.equal(c.gateway.taskConcurrency, 4);
    assert.equal(c.gateway.taskQueueLimit, 100);
    assert.equal(c.gateway.taskRetentionSeconds, 3600);
    assert.equal(c.router.allowWrite, false);
    assert.equal(c.router.allowExecute, false);
    assert.deepEqual(c.router.writeScopes, ["/ip/firewall/address-list", "/ip/firewall/filter"]);
    assert.equal(c.router.approval, "off");
    assert.equal(c.router.approvalTtlSeconds, 600);
    assert.equal(c.router.confirmSeconds, 0);
    assert.deepEqual(c.channels.telegram.allowlist, { all: false, ids: [] });
    assert.deepEqual(c.channels.discord.allowlist, { all: false, ids: [] });
    assert.deepEqual(c.channels.slack.allowlist, { all: false, ids: [] });
    assert.deepEqual(c.tools.allowedShellCmds, []);
    assert.equal(c.storage.url, "memory");
    assert.equal(c.storage.kind, "memory");
    assert.equal(c.memory.autoRecall, false);
    assert.equal(c.log.level, "info");
    assert.equal(c.log.format, "text");
    assert.equal(c.llm.apiKey, undefined);
  });

  it("expands ~ in MIKROCLAW_STATE_DIR from HOME", async () => {
    assert.equal(
      (await loadConfig({ env: { HOME: "/home/u" } })).storage.stateDir,
      "/home/u/.mikroclaw",
    );
    const c = await loadConfig({ env: { HOME: "/home/u", MIKROCLAW_STATE_DIR: "/var/run/mc" } });
    assert.equal(c.storage.stateDir, "/var/run/mc");
  });

  it("is deeply frozen", async () => {
    const c = await loadConfig({ env: { TELEGRAM_ALLOWLIST: "1,2" } });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.channels.telegram.allowlist.ids));
    assert.ok(Object.isFrozen(c.llm.providers.openai));
    assert.throws(() => {
      (c.gateway as { port: number }).port = 1;
    }, TypeError);
  });
});

describe("loadConfig() values", () => {
  it("accepts every boolean word", async () => {
    for (const word of ["1", "true", "on", "yes", "TRUE", " On "]) {
      assert.equal(
        (await loadConfig({ env: { ROUTEROS_ALLOW_WRITE: word } })).router.allowWrite,
        true,
      );
    }
    for (const word of ["0", "false", "off", "no", "No"]) {
      assert.equal((await loadConfig({ env: { LLM_STREAMING: word } })).llm.streaming, false);
    }
  });

  it("reads allowlists: * = everyone, list = those ids, empty = nobody", async () => {
    const c = await loadConfig({
      env: {
        TELEGRAM_ALLOWLIST: "*",
        DISCORD_ALLOWLIST: " 123456789012345678 , 223456789012345678,223456789012345678,",
        SLACK_ALLOWLIST: "",
      },
    });
    assert.deepEqual(c.channels.telegram.allowlist, { all: true, ids: [] });
    assert.deepEqual(c.channels.discord.allowlist, {
      all: false,
      ids: ["123456789012345678", "223456789012345678"],
    });
    assert.deepEqual(c.channels.slack.allowlist, { all: false, ids: [] });
  });

  it("parses RELIABLE_PROVIDERS to [{provider, model?}]", async () => {
    const c = await loadConfig({
      env: { RELIABLE_PROVIDERS: "openai:gpt-4o-mini, Anthropic ,ollama:llama3.2:3b" },
    });
    assert.deepEqual(c.llm.fallbacks, [
      { provider: "openai", model: "gpt-4o-mini" },
      { provider: "anthropic" },
      { provider: "ollama", model: "llama3.2:3b" },
    ]);
  });

  it("looks up provider keys and base URLs, LLM_* winning for the primary", async () => {
    let c = await loadConfig({ env: { OPENROUTER_API_KEY: "or-1" } });
    assert.equal(c.llm.apiKey?.reveal(), "or-1");
    c = await loadConfig({ env: { OPENROUTER_KEY: "or-0", OPENROUTER_API_KEY: "or-1" } });
    assert.equal(c.llm.apiKey?.reveal(), "or-0");
    c = await loadConfig({
      env: {
        LLM_PROVIDER: "anthropic",
        ANTHROPIC_API_KEY: "an-1",
        ANTHROPIC_BASE_URL: "https://proxy.example/",
        OPENAI_API_KEY: "oa-1",
      },
    });
    assert.equal(c.llm.apiKey?.reveal(), "an-1");
    assert.equal(c.llm.baseUrl, "https://proxy.example");
    assert.equal(c.llm.providers.openai.apiKey?.reveal(), "oa-1");
    c = await loadConfig({
      env: {
        LLM_PROVIDER: "openai",
        OPENAI_API_KEY: "oa-1",
        LLM_API_KEY: "llm-1",
        LLM_BASE_URL: "http://10.0.0.2:8000/v1",
      },
    });
    assert.equal(c.llm.apiKey?.reveal(), "llm-1");
    assert.equal(c.llm.baseUrl, "http://10.0.0.2:8000/v1");
    assert.equal(c.llm.providers.openai.apiKey?.reveal(), "oa-1");
  });

  it("makes every secret a Secret", async () => {
    const env: Record<string, string> = {};
    for (const s of SETTINGS) {
      if (s.secret) {
        env[s.name] = s.name === "MIKROCLAW_SECRET_KEY" ? HEX_KEY : `value-of-${s.name}`;
      }
    }
    env.MCP_SERVERS =
      '{"x":{"url":"http://127.0.0.1:1/mcp","headers":{"Authorization":"Bearer t"}}}';
    const c = await loadConfig({ env });
    const seen: string[] = [];
    (function walk(v: unknown, path: string): void {
      if (isSecret(v)) seen.push(path);
      else if (typeof v === "string") {
        assert.ok(!v.startsWith("value-of-"), `${path} is a plain string`);
      } else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
      }
    })(c, "config");
    assert.ok(seen.includes("config.router.password"));
    assert.ok(seen.includes("config.channels.slack.signingSecret"));
    assert.ok(seen.includes("config.cli.token"));
    assert.ok(seen.includes("config.tools.mcpServers"));
    const json = JSON.stringify(c);
    assert.doesNotMatch(json, /value-of-|Bearer t/);
    const secrets = collectSecrets(c);
    assert.ok(secrets.includes("value-of-ROUTER_PASS"));
    assert.ok(secrets.includes(HEX_KEY));
  });

  it("derives the router URL from ROUTER_HOST unless ROUTER_URL is set", async () => {
    assert.equal(
      (await loadConfig({ env: { ROUTER_HOST: "192.168.88.1" } })).router.url,
      "https://192.168.88.1/rest",
    );
    assert.equal(
      (await loadConfig({
        env: { ROUTER_HOST: "192.168.88.1", ROUTER_URL: "http://172.17.0.1/rest/" },
      })).router.url,
      "http://172.17.0.1/rest",
    );
    assert.equal(
      (await loadConfig({ env: { ROUTER_TLS_FINGERPRINT: "AB:".repeat(31) + "AB" } })).router
        .tlsFingerprint,
      "ab".repeat(32),
    );
  });

  it("accepts durations with units", async () => {
    const c = await loadConfig({
      env: { GATEWAY_TOKEN_TTL: "12h", TASK_RETENTION: "10m", ROUTEROS_APPROVAL_TTL: "900" },
    });
    assert.equal(c.gateway.tokenTtlSeconds, 43200);
    assert.equal(c.gateway.taskRetentionSeconds, 600);
    assert.equal(c.router.approvalTtlSeconds, 900);
  });

  it("turns memory auto-recall on when memU is configured", async () => {
    assert.equal((await loadConfig({ env: { MEMU_API_KEY: "m" } })).memory.autoRecall, true);
    assert.equal(
      (await loadConfig({ env: { MEMU_API_KEY: "m", MEMORY_AUTO_RECALL: "off" } })).memory
        .autoRecall,
      false,
    );
  });

  it("picks the web search backend that is configured", async () => {
    assert.equal(
      (await loadConfig({ env: { TAVILY_API_KEY: "t" } })).tools.webSearch.provider,
      "tavily",
    );
    const e = await configError(loadConfig({ env: { WEB_SEARCH_PROVIDER: "brave" } }));
    assert.match(issueOf(e, "WEB_SEARCH_PROVIDER"), /BRAVE_API_KEY/);
  });
});

describe("loadConfig() guards", () => {
  it("names the variable, the problem and an example", async () => {
    const e = await configError(loadConfig({ env: { GATEWAY_PORT: "abc" } }));
    assert.equal(e.code, "E_CONFIG");
    assert.match(
      e.message,
      /^GATEWAY_PORT: expected 0-65535, got "abc" \(e\.g\. GATEWAY_PORT=18789\)$/m,
    );
  });

  it("reports every bad value at once, each with its name and an example", async () => {
    const bad: Record<string, string> = {
      LLM_PROVIDER: "skynet",
      LLM_BASE_URL: "ftp://x",
      RELIABLE_PROVIDERS: "openai,nope:model",
      LLM_STREAMING: "maybe",
      LLM_TIMEOUT_MS: "-1",
      MAX_STEPS: "0",
      ROUTER_HOST: "http://router",
      ROUTER_URL: "not a url",
      ROUTER_TLS_FINGERPRINT: "abc",
      ROUTEROS_ALLOW_WRITE: "2",
      ROUTEROS_WRITE_SCOPES: "ip/firewall",
      ROUTEROS_ALLOW_SUBNETS: "10.0.0.0/33",
      ROUTEROS_APPROVAL: "always",
      ROUTEROS_APPROVERS: "email:me",
      ROUTEROS_APPROVAL_TTL: "1",
      ROUTEROS_CONFIRM_SECONDS: "soon",
      TELEGRAM_API_BASE: "api.telegram.org",
      TELEGRAM_ALLOWLIST: "alice smith",
      DISCORD_PUBLIC_KEY: "xyz",
      DISCORD_GATEWAY_URL: "https://gateway.discord.gg",
      GATEWAY_PORT: "70000",
      GATEWAY_BIND: "0.0.0.0:80",
      TRUSTED_PROXIES: "proxy.local",
      GATEWAY_TOKEN_TTL: "forever",
      TASK_CONCURRENCY: "1000",
      TASK_QUEUE_LIMIT: "x",
      ALLOWED_SHELL_CMDS: "ls;rm",
      WEBSCRAPE_SERVICES: "google",
      WEB_SEARCH_PROVIDER: "bing",
      SEARXNG_URL: "searx",
      MCP_SERVERS: "{broken json",
      MIKROCLAW_STORAGE: "s3://bucket",
      AGENT_ID: "../etc",
      MIKROCLAW_SECRET_KEY: "too-short",
      LOG_LEVEL: "verbose",
      LOG_FORMAT: "xml",
      OPENAI_BASE_URL: "javascript:alert(1)",
    };
    const e = await configError(loadConfig({ env: bad }));
    for (const name of Object.keys(bad)) {
      const message = issueOf(e, name);
      assert.match(message, /expected|e\.g\./, `${name}: ${message}`);
      assert.match(message, /e\.g\. /, `${name} has an example: ${message}`);
    }
    assert.ok(!e.message.includes("too-short"), "a secret's value is never echoed");
  });

  it("refuses PAIRING_REQUIRED=0 on a non-loopback bind", async () => {
    const e = await configError(
      loadConfig({ env: { PAIRING_REQUIRED: "0", GATEWAY_BIND: "0.0.0.0" } }),
    );
    assert.match(issueOf(e, "PAIRING_REQUIRED"), /GATEWAY_BIND/);
    for (const bind of ["127.0.0.1", "localhost", "::1", "127.0.0.5"]) {
      const c = await loadConfig({ env: { PAIRING_REQUIRED: "0", GATEWAY_BIND: bind } });
      assert.equal(c.gateway.pairingRequired, false);
    }
  });

  it("needs a base URL for the custom provider", async () => {
    const e = await configError(loadConfig({ env: { LLM_PROVIDER: "custom" } }));
    assert.match(issueOf(e, "LLM_BASE_URL"), /custom/);
    const c = await loadConfig({
      env: { LLM_PROVIDER: "custom", LLM_BASE_URL: "http://10.0.0.2:8000/v1" },
    });
    assert.equal(c.llm.baseUrl, "http://10.0.0.2:8000/v1");
    // The catalogue's names only: `custom` shares the primary's LLM_* variables.
    assert.equal(c.llm.providers.custom.baseUrl, "http://10.0.0.2:8000/v1");
  });

  it("refuses control characters and oversized values", async () => {
    const e = await configError(
      loadConfig({
        env: { ROUTER_USER: "admin\nevil", BOT_TOKEN: "x".repeat(20_000), MODEL: "a\u0000b" },
      }),
    );
    issueOf(e, "ROUTER_USER");
    issueOf(e, "MODEL");
    assert.match(issueOf(e, "BOT_TOKEN"), /20000 characters/);
  });

  it("isLoopbackHost() knows loopback forms only", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
      assert.ok(isLoopbackHost(h), h);
    }
    for (const h of ["0.0.0.0", "::", "192.168.88.1", "localhost.evil.com", "128.0.0.1"]) {
      assert.equal(isLoopbackHost(h), false, h);
    }
  });
});

describe("loadConfig() encrypted values", () => {
  it("decrypts ENCRYPTED:v1 and ENCRYPTED:v2 values anywhere", async () => {
    const c = await loadConfig({
      env: {
        MEMU_ENCRYPTION_KEY: "test-key",
        MIKROCLAW_SECRET_KEY: HEX_KEY,
        BOT_TOKEN: V1,
        ROUTER_HOST: await encryptValue("10.0.0.1", HEX_KEY),
        GATEWAY_PORT: await encryptValue("8080", HEX_KEY),
      },
    });
    assert.equal(c.channels.telegram.botToken?.reveal(), "sk-secret");
    assert.equal(c.router.host, "10.0.0.1");
    assert.equal(c.gateway.port, 8080);
  });

  it("stops with the variable's name when a value does not decrypt", async () => {
    const value = await encryptValue("sk-real", HEX_KEY);
    const e = await configError(
      loadConfig({
        env: { MIKROCLAW_SECRET_KEY: HEX_KEY.replace("00", "ff"), OPENAI_API_KEY: value },
      }),
    );
    assert.match(issueOf(e, "OPENAI_API_KEY"), /cannot decrypt: wrong key/);
    assert.ok(!e.message.includes(value.split(":")[4]!));
    const e2 = await configError(loadConfig({ env: { BOT_TOKEN: V1 } }));
    assert.match(issueOf(e2, "BOT_TOKEN"), /MEMU_ENCRYPTION_KEY/);
    const e3 = await configError(loadConfig({ env: { SLACK_BOT_TOKEN: "ENCRYPTED:v7:abc" } }));
    assert.match(issueOf(e3, "SLACK_BOT_TOKEN"), /unknown format/);
  });

  it("never shows a decrypted non-secret value in an error", async () => {
    const e = await configError(
      loadConfig({
        env: {
          MIKROCLAW_SECRET_KEY: HEX_KEY,
          GATEWAY_PORT: await encryptValue("hidden-port", HEX_KEY),
        },
      }),
    );
    assert.ok(!issueOf(e, "GATEWAY_PORT").includes("hidden-port"));
  });

  it("refuses a value that decrypts to another ENCRYPTED: value", async () => {
    const inner = await encryptValue("sk-x", HEX_KEY);
    const outer = await encryptValue(inner, HEX_KEY);
    const e = await configError(
      loadConfig({ env: { MIKROCLAW_SECRET_KEY: HEX_KEY, BOT_TOKEN: outer } }),
    );
    assert.match(issueOf(e, "BOT_TOKEN"), /another ENCRYPTED/);
  });

  it("trims secrets and keys", async () => {
    const value = await encryptValue("sk-x", HEX_KEY);
    const c = await loadConfig({
      env: { MIKROCLAW_SECRET_KEY: ` ${HEX_KEY} `, BOT_TOKEN: ` ${value}`, ROUTER_PASS: " pw " },
    });
    assert.equal(c.channels.telegram.botToken?.reveal(), "sk-x");
    assert.equal(c.router.password?.reveal(), "pw");
  });

  it("refuses an encrypted key", async () => {
    const e = await configError(
      loadConfig({ env: { MIKROCLAW_SECRET_KEY: "ENCRYPTED:v1:a:b:c" } }),
    );
    issueOf(e, "MIKROCLAW_SECRET_KEY");
  });
});

describe("loadConfig() file", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mikroclaw-config-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads mikroclaw.json; the environment wins", async () => {
    const file = join(dir, "mikroclaw.json");
    await writeFile(
      file,
      JSON.stringify({
        $schema: "x",
        GATEWAY_PORT: 8080,
        PAIRING_REQUIRED: true,
        TELEGRAM_ALLOWLIST: ["1", 2],
        LLM_PROVIDER: "openai",
        MCP_SERVERS: { x: { command: "mcp-x" } },
      }),
    );
    const c = await loadConfig({ env: { LLM_PROVIDER: "anthropic" }, file });
    assert.equal(c.gateway.port, 8080);
    assert.equal(c.llm.provider, "anthropic");
    assert.deepEqual(c.channels.telegram.allowlist.ids, ["1", "2"]);
    assert.equal(JSON.parse(c.tools.mcpServers!.reveal()).x.command, "mcp-x");
    assert.equal(c.file, file);
  });

  it("refuses unknown keys, naming them with a suggestion", async () => {
    const e = await configError(
      loadConfig({ env: {}, fileText: JSON.stringify({ GATEWAY_PROT: 1, TOTALLY_UNKNOWN: 2 }) }),
    );
    assert.match(issueOf(e, "GATEWAY_PROT"), /unknown setting.*did you mean GATEWAY_PORT\?/);
    assert.match(issueOf(e, "TOTALLY_UNKNOWN"), /unknown setting/);
    assert.doesNotMatch(issueOf(e, "TOTALLY_UNKNOWN"), /did you mean/);
  });

  it("refuses bad JSON, non-objects, nested values and a missing file", async () => {
    for (const text of ["{", "[]", '"x"', "null"]) {
      const e = await configError(loadConfig({ env: {}, fileText: text }));
      assert.match(e.message, /^mikroclaw\.json: Cannot parse/);
    }
    const e = await configError(loadConfig({ env: {}, fileText: '{"GATEWAY_PORT": {"a": 1}}' }));
    assert.match(issueOf(e, "GATEWAY_PORT"), /e\.g\./);
    const missing = join(dir, "nope.json");
    const e2 = await configError(loadConfig({ env: {}, file: missing }));
    assert.match(issueOf(e2, missing), /no such file/);
  });

  it("validates file values like environment values", async () => {
    const e = await configError(loadConfig({ env: {}, fileText: '{"GATEWAY_PORT": "abc"}' }));
    assert.match(issueOf(e, "GATEWAY_PORT"), /expected 0-65535, got "abc"/);
  });
});

describe("describeConfig()", () => {
  it("shows secrets only as set / unset", async () => {
    const c = await loadConfig({
      env: { OPENAI_API_KEY: "sk-test-123", ROUTER_PASS: "hunter2", TELEGRAM_ALLOWLIST: "*" },
    });
    const d = describeConfig(c);
    assert.equal(d.OPENAI_API_KEY, "set");
    assert.equal(d.ANTHROPIC_API_KEY, "unset");
    assert.equal(d.ROUTER_PASS, "set");
    assert.equal(d.GATEWAY_PORT, 18789);
    assert.equal(d.TELEGRAM_ALLOWLIST, "*");
    assert.deepEqual(d.ALLOWED_SHELL_CMDS, []);
    assert.doesNotMatch(JSON.stringify(d), /sk-test-123|hunter2/);
    for (const s of SETTINGS) assert.ok(s.name in d, `${s.name} is described`);
  });

  it("hides passwords inside URLs", async () => {
    const c = await loadConfig({
      env: {
        MIKROCLAW_STORAGE: "redis://user:pw-secret@10.0.0.9:6379/0",
        ROUTER_URL: "https://a:b-pass@r/rest",
      },
    });
    const d = describeConfig(c);
    assert.equal(d.MIKROCLAW_STORAGE, "redis://user:***@10.0.0.9:6379/0");
    assert.doesNotMatch(JSON.stringify(d), /pw-secret|b-pass/);
  });

  it("refuses a config it did not make", () => {
    assert.throws(() => describeConfig({} as Config), TypeError);
  });
});

describe("SETTINGS", () => {
  it("lists every name of CONTRACT §3 and the issues, with a description", () => {
    const names = new Set(SETTINGS.map((s) => s.name));
    const expected =
      `LLM_PROVIDER MODEL LLM_API_KEY OPENROUTER_KEY OPENROUTER_API_KEY OPENAI_API_KEY
      ANTHROPIC_API_KEY GEMINI_API_KEY GROQ_API_KEY MISTRAL_API_KEY XAI_API_KEY DEEPSEEK_API_KEY
      TOGETHER_API_KEY FIREWORKS_API_KEY PERPLEXITY_API_KEY COHERE_API_KEY MOONSHOT_API_KEY
      OLLAMA_API_KEY OPENAI_BASE_URL ANTHROPIC_BASE_URL OLLAMA_BASE_URL LLM_BASE_URL
      RELIABLE_PROVIDERS LLM_STREAMING LLM_TIMEOUT_MS ROUTER_HOST ROUTER_USER ROUTER_PASS ROUTER_URL
      ROUTER_TLS_FINGERPRINT ROUTEROS_ALLOW_WRITE ROUTEROS_ALLOW_EXECUTE BOT_TOKEN TELEGRAM_API_BASE
      TELEGRAM_ALLOWLIST DISCORD_BOT_TOKEN DISCORD_PUBLIC_KEY DISCORD_API_BASE DISCORD_GATEWAY_URL
      DISCORD_ALLOWLIST SLACK_BOT_TOKEN SLACK_APP_TOKEN SLACK_SIGNING_SECRET SLACK_API_BASE
      SLACK_ALLOWLIST GATEWAY_PORT GATEWAY_BIND PAIRING_REQUIRED TRUSTED_PROXIES WORKSPACE_DIR
      FORBIDDEN_PATHS ALLOWED_SHELL_CMDS SKILLS_DIR WEBSCRAPE_SERVICES WEB_SEARCH_PROVIDER
      BRAVE_API_KEY TAVILY_API_KEY SEARXNG_URL JINA_API_KEY FIRECRAWL_API_KEY COMPOSIO_URL
      COMPOSIO_API_KEY MEMU_API_KEY MEMU_BASE_URL MIKROCLAW_STORAGE AGENT_ID MIKROCLAW_SECRET_KEY
      MEMU_ENCRYPTION_KEY LOG_LEVEL LOG_FORMAT MAX_STEPS SYSTEM_PROMPT ROUTEROS_WRITE_SCOPES
      ROUTEROS_FIREWALL ROUTEROS_ALLOW_SUBNETS HEARTBEAT_ROUTEROS ROUTEROS_APPROVAL
      ROUTEROS_APPROVERS ROUTEROS_APPROVAL_TTL ROUTEROS_CONFIRM_SECONDS TELEGRAM_WEBHOOK_SECRET
      GATEWAY_TOKEN_TTL TASK_CONCURRENCY TASK_QUEUE_LIMIT TASK_RETENTION MEMORY_AUTO_RECALL
      MCP_SERVERS MIKROCLAW_STATE_DIR MIKROCLAW_TOKEN`.split(/\s+/);
    for (const name of expected) assert.ok(names.has(name), `${name} is listed`);
    assert.equal(names.size, SETTINGS.length, "no duplicates");
    for (const s of SETTINGS) {
      assert.ok(s.description.length > 5 && !s.description.includes("\n"), s.name);
      assert.ok(s.example.length > 0, s.name);
    }
  });

  it("documents the safer defaults", () => {
    const get = (n: string) => SETTINGS.find((s) => s.name === n)!;
    assert.equal(get("GATEWAY_BIND").default, "127.0.0.1");
    assert.equal(get("PAIRING_REQUIRED").default, "on");
    assert.equal(get("ROUTEROS_ALLOW_WRITE").default, "off");
    assert.equal(get("OPENAI_API_KEY").secret, true);
  });
});
