/**
 * `SETTINGS`: every setting MikroClaw reads, with a one-line description and default; the
 * source of the README configuration table and the CLI help.
 * @module
 */
import { SETTING_DEFS } from "./_schema.ts";
import { settingDescription } from "./_descriptions.ts";

/** One known setting. */
export interface SettingInfo {
  /** Environment variable (and `mikroclaw.json` key). */
  readonly name: string;
  /** Section: llm, router, telegram, discord, slack, gateway, tools, memory, storage, secrets, cli, log. */
  readonly group: string;
  /** One line. */
  readonly description: string;
  /** The default, as text; `undefined` = unset. */
  readonly default: string | undefined;
  /** Whether the value is a secret (never printed). */
  readonly secret: boolean;
  /** A right value. */
  readonly example: string;
  /** What a right value looks like. */
  readonly expected: string;
}

/** Every known setting, in documentation order. */
export const SETTINGS: readonly SettingInfo[] = Object.freeze(
  SETTING_DEFS.map((d) =>
    Object.freeze({
      name: d.name,
      group: d.group,
      description: settingDescription(d.name, d.at),
      default: d.defaultText ?? (d.default === "" ? undefined : d.default),
      secret: d.secret ?? false,
      example: d.example ?? d.kind.example,
      expected: d.kind.expected,
    })
  ),
);

/** The settings as a Markdown table (`| name | default | description |`), for the README. */
export function settingsMarkdown(): string {
  const rows = SETTINGS.map((s) =>
    `| \`${s.name}\` | ${s.default === undefined ? "" : `\`${s.default}\``} | ${s.description}${
      s.secret ? " (secret)" : ""
    } |`
  );
  return ["| name | default | description |", "|---|---|---|", ...rows].join("\n");
}
