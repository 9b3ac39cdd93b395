import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileReadTool } from "../../lib/tools/file_read.ts";
import { fileWriteTool } from "../../lib/tools/file_write.ts";
import { shellExecTool } from "../../lib/tools/shell_exec.ts";
import { skillInvokeTool, skillListTool } from "../../lib/tools/skills.ts";
import { webSearchTool } from "../../lib/tools/web_search.ts";
import { webScrapeTool } from "../../lib/tools/web_scrape.ts";
import { createWorkspace } from "../../lib/security/workspace.ts";

const str = { type: "string" };

describe("guarded tools", () => {
  it("offer exactly the seed's names, descriptions, schemas and effects", () => {
    const workspace = createWorkspace({ root: "/tmp/mc-never-created" });
    const tools = [
      fileReadTool({ workspace }),
      fileWriteTool({ workspace }),
      shellExecTool({ workspace }),
      skillListTool(),
      skillInvokeTool(),
      webSearchTool(),
      webScrapeTool(),
    ];
    const seen = tools.map((t) => [t.name, t.description, t.parameters, t.effect]);
    assert.deepEqual(seen, [
      ["file_read", "Read file in workspace", {
        type: "object",
        properties: { path: str },
        required: ["path"],
      }, "read"],
      ["file_write", "Write file in workspace", {
        type: "object",
        properties: { path: str, content: str },
        required: ["path", "content"],
      }, "write"],
      ["shell_exec", "Execute allowed shell command", {
        type: "object",
        properties: { command: str },
        required: ["command"],
      }, "write"],
      ["skill_list", "List skills directory entries", { type: "object", properties: {} }, "read"],
      ["skill_invoke", "Invoke executable skill from skills directory", {
        type: "object",
        properties: { skill: str, params: str },
        required: ["skill"],
      }, "write"],
      ["web_search", "Search web documents", {
        type: "object",
        properties: { query: str },
        required: ["query"],
      }, "read"],
      ["web_scrape", "Scrape URL via cloud services", {
        type: "object",
        properties: { url: str },
        required: ["url"],
      }, "read"],
    ]);
  });
});
