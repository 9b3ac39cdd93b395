/** `mikroclaw identity [--rotate]`: the device identity; `--rotate` replaces it and revokes tokens. */
import { type CommandDef, defineCommand } from "citty";
import { loadIdentity, rotateIdentity } from "../../lib/identity/load_identity.ts";
import { globalArgs } from "../_args.ts";
import { loadCliConfig, openStore, print, printJson } from "../_context.ts";

const args = {
  ...globalArgs,
  rotate: {
    type: "boolean",
    description: "Make a new key pair and revoke every gateway token",
  },
  json: { type: "boolean", description: "Print JSON" },
} as const;

const identity = defineCommand({
  meta: {
    name: "identity",
    description: "Print the device identity (id + Ed25519 public key); --rotate makes a new one",
  },
  args,
  async run({ args }) {
    const config = await loadCliConfig(args);
    const store = await openStore(config);
    try {
      const options = { agentId: config.storage.agentId };
      let revoked: number | undefined;
      let current;
      if (args.rotate) {
        const result = await rotateIdentity(store, options);
        current = result.identity;
        revoked = result.revokedTokens;
      } else current = await loadIdentity(store, options);
      const note = current.persistent
        ? undefined
        : "storage is memory: this identity is regenerated at each start (set MIKROCLAW_STORAGE=fs:/path or redis://… to keep it)";
      if (args.json) {
        printJson({
          id: current.id,
          publicKey: current.publicKey,
          algorithm: "Ed25519",
          createdAt: current.createdAt,
          persistent: current.persistent,
          storage: config.storage.kind,
          ...(revoked === undefined ? {} : { rotated: true, revokedTokens: revoked }),
          ...(note ? { note } : {}),
        });
        return;
      }
      const lines = [
        `id:         ${current.id}${config.storage.agentId ? " (from AGENT_ID)" : ""}`,
        `public key: ${current.publicKey} (Ed25519, base64)`,
        `created:    ${current.createdAt}`,
        `storage:    ${config.storage.kind}`,
      ];
      if (revoked !== undefined) {
        lines.push(`rotated:    new key pair; ${revoked} gateway token(s) revoked`);
      }
      if (note) lines.push(`note:       ${note}`);
      print(lines.join("\n"));
    } finally {
      await store.dispose();
    }
  },
});

export default identity as CommandDef<any>;
