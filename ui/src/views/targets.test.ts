import { beforeAll, describe, expect, it } from "vitest";
import type { ExportPlan } from "../bindings/ExportPlan";
import type { TargetInfo } from "../bindings/TargetInfo";
import { targetsDialog, type TargetActions } from "./targets";

beforeAll(() => {
  // jsdom has no modal dialogs.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) { this.setAttribute("open", ""); };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) { this.removeAttribute("open"); };
});

const desk: TargetInfo = { id: 1, name: "desk", kind: "wordpress", url: "https://news.example.org/", user: "ana", secret_source: "keychain", created_at: "2026-12-02T00:00:00Z" };
const plan = (action: string): ExportPlan => ({
  target: "desk", kind: "wordpress", action, remote_id: action === "create" ? null : "41", url: null, story_id: 7, revision: 2,
  status: "draft", event: "approved", signed_off_by: "Ana Ruiz", title: "Headline", excerpt: "Dek",
  body_html: '<p>Quote <img src=x onerror="alert(1)"></p>', tags: ["AI"], categories: [],
});
const tick = () => new Promise((r) => setTimeout(r, 0));
const q = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement;

function actions(over: Partial<TargetActions> = {}): TargetActions & { sent: string[][] } {
  const sent: string[][] = [];
  return {
    sent,
    list: async () => [desk],
    add: async () => desk,
    remove: async () => [],
    check: async () => "signed in to WordPress as ana",
    plan: async () => plan("create"),
    send: async (t, s, tags) => {
      sent.push([t, s ?? "", ...tags]);
      return { target: t, kind: "wordpress", action: "create", remote_id: "41", url: "https://news.example.org/?p=41", revision: 2, status: "draft", recovered: false };
    },
    history: async () =>
      sent.length
        ? [{ id: 1, target: "desk", kind: "wordpress", story_id: 7, revision: 2, action: "create", remote_id: "41", url: "https://news.example.org/?p=41", status: "draft", event: "approved", error: null, actor: "Ana Ruiz", created_at: "2026-12-02T03:00:00Z" }]
        : [],
    message: (e) => String((e as Error).message ?? e),
    ...over,
  };
}

describe("targets dialog", () => {
  it("previews exactly what would be sent, as text, and sends only on Send", async () => {
    const a = actions();
    void targetsDialog(a, { id: 7, title: "Headline" });
    await tick();
    expect(q("targets-list").textContent).toContain("desk");
    expect(q("targets-list").textContent).not.toContain("secret in environment");
    (q("export-tags") as HTMLInputElement).value = "AI, Chips ,";
    q("export-preview-button").click();
    await tick();
    const body = q("export-body");
    expect(body.textContent).toBe('<p>Quote <img src=x onerror="alert(1)"></p>');
    expect(q("export-preview").querySelector("img")).toBeNull();
    expect(a.sent).toHaveLength(0);
    expect((q("export-send") as HTMLButtonElement).disabled).toBe(false);
    q("export-send").click();
    await tick();
    expect(a.sent).toEqual([["desk", "draft", "AI", "Chips"]]);
    expect(q("targets-status").textContent).toContain("Created wordpress post 41");
    await tick();
    expect(q("export-history").textContent).toContain("desk · r2 · create · draft · Ana Ruiz");
    document.querySelector("dialog")?.remove();
  });

  it("an unchanged story cannot be sent again, and errors are shown in words", async () => {
    void targetsDialog(actions({ plan: async () => plan("none"), check: async () => { throw new Error("target desk: WordPress refused the credentials"); } }), { id: 7, title: "Headline" });
    await tick();
    q("export-preview-button").click();
    await tick();
    expect(q("export-preview").textContent).toContain("Unchanged since the last export");
    expect((q("export-send") as HTMLButtonElement).disabled).toBe(true);
    (q("target-desk").querySelector("button") as HTMLButtonElement).click();
    await tick();
    expect(q("targets-status").textContent).toBe("target desk: WordPress refused the credentials");
    document.querySelector("dialog")?.remove();
  });
});
