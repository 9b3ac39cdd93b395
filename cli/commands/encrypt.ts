/** `mikroclaw encrypt KEY=VALUE`: prints `KEY=ENCRYPTED:v2:…` for an env file. */
import { type CommandDef, defineCommand } from "citty";
import { SETTINGS } from "../../lib/config/settings.ts";
import { AgentError, ErrorCode } from "../../lib/errors.ts";
import { encryptValue } from "../../lib/secrets/encrypt_value.ts";
import { isEncryptedValue } from "../../lib/secrets/encrypted_prefix.ts";
import { globalArgs, UsageError } from "../_args.ts";
import { loadCliConfig, print } from "../_context.ts";
import { logger } from "../_logger.ts";

const args = {
  ...globalArgs,
  assignment: {
    type: "positional",
    required: false,
    description:
      "KEY=VALUE, or KEY alone to read the value from stdin (keeps it out of shell history)",
  },
} as const;

const encrypt = defineCommand({
  meta: {
    name: "encrypt",
    description: "Encrypt a value with MIKROCLAW_SECRET_KEY: prints KEY=ENCRYPTED:v2:...",
  },
  args,
  async run({ args }) {
    const assignment = args.assignment;
    if (!assignment) {
      throw new UsageError(
        "encrypt needs KEY=VALUE (e.g. mikroclaw encrypt OPENAI_API_KEY=sk-...)",
      );
    }
    const eq = assignment.indexOf("=");
    const key = eq < 0 ? assignment : assignment.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(key)) {
      throw new UsageError(
        `Invalid name ${JSON.stringify(key.slice(0, 40))} (expected e.g. OPENAI_API_KEY=sk-...)`,
      );
    }
    const value = eq < 0 ? (await readStdin()).replace(/\r?\n$/, "") : assignment.slice(eq + 1);
    if (value === "") throw new UsageError(`Nothing to encrypt: the value of ${key} is empty`);
    if (isEncryptedValue(value)) throw new UsageError(`The value of ${key} is already encrypted`);
    const config = await loadCliConfig(args);
    if (!config.secrets.secretKey) {
      throw new AgentError(
        "Cannot encrypt: MIKROCLAW_SECRET_KEY is not set; make one with `openssl rand -hex 32` and set MIKROCLAW_SECRET_KEY=<that>",
        { code: ErrorCode.Secret },
      );
    }
    if (!SETTINGS.some((s) => s.name === key)) {
      logger.warn(`${key} is not a MikroClaw setting; encrypting it anyway`);
    }
    print(`${key}=${await encryptValue(value, config.secrets.secretKey)}`);
  },
});

export default encrypt as CommandDef<any>;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 65_536) throw new UsageError("The value on stdin is longer than 65536 bytes");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
