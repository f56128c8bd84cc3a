import type { ExportOutcome } from "../bindings/ExportOutcome";
import type { ExportPlan } from "../bindings/ExportPlan";
import type { TargetExport } from "../bindings/TargetExport";
import type { TargetInfo } from "../bindings/TargetInfo";
import { clear, h, showModal } from "../dom";

/** What the dialog needs from the backend; each call resolves or rejects with a message. */
export interface TargetActions {
  list: () => Promise<TargetInfo[]>;
  add: (t: { name: string; kind: string; url: string; user: string | null; secret: string }) => Promise<TargetInfo>;
  remove: (name: string) => Promise<TargetInfo[]>;
  check: (name: string) => Promise<string>;
  plan: (target: string, status: string | null, tags: string[]) => Promise<ExportPlan>;
  send: (target: string, status: string | null, tags: string[]) => Promise<ExportOutcome>;
  /** The open story's export attempts, newest first. */
  history: () => Promise<TargetExport[]>;
  message: (e: unknown) => string;
}

const SECRET_HINT: Record<string, string> = {
  wordpress: "Application password (Users → Profile → Application Passwords)",
  ghost: "Admin API key, id:secret (Settings → Integrations)",
  webhook: "Signing secret, whsec_…",
};

/**
 * Settings → targets: list, add (the secret goes to the OS keychain and never
 * comes back), check credentials, remove. With `storyId`, also the export of
 * that story: a preview of exactly what would be sent, then Send.
 */
export function targetsDialog(a: TargetActions, story: { id: number; title: string } | null): Promise<void> {
  return new Promise((resolve) => {
    let targets: TargetInfo[] = [];
    const status = h("div", { class: "muted", role: "status", "data-testid": "targets-status" });
    const list = h("ul", { class: "model-list", "data-testid": "targets-list" });
    const say = (text: string) => (status.textContent = text);

    const f = {
      name: h("input", { required: true, placeholder: "desk", "data-testid": "target-name", maxlength: 40 }),
      kind: h("select", { "data-testid": "target-kind" }, h("option", { value: "wordpress" }, "WordPress"), h("option", { value: "ghost" }, "Ghost"), h("option", { value: "webhook" }, "Signed webhook")),
      url: h("input", { required: true, placeholder: "https://news.example.org", "data-testid": "target-url" }),
      user: h("input", { placeholder: "WordPress user", "data-testid": "target-user" }),
      secret: h("input", { type: "password", autocomplete: "off", placeholder: SECRET_HINT.wordpress, "data-testid": "target-secret" }),
    };
    f.kind.addEventListener("change", () => {
      f.secret.placeholder = SECRET_HINT[f.kind.value] ?? "";
      f.user.disabled = f.kind.value !== "wordpress";
    });

    const exp = {
      target: h("select", { "data-testid": "export-target" }),
      status: h("select", { "data-testid": "export-status" }, h("option", { value: "draft" }, "draft"), h("option", { value: "pending" }, "pending review"), h("option", { value: "publish" }, "publish")),
      tags: h("input", { placeholder: "tags, comma-separated", "data-testid": "export-tags" }),
      preview: h("div", { class: "preview", "data-testid": "export-preview" }),
      history: h("ul", { class: "model-list", "data-testid": "export-history" }),
      send: h("button", { class: "btn primary", type: "button", disabled: true, "data-testid": "export-send" }, "Send"),
    };
    const tags = () => exp.tags.value.split(",").map((t) => t.trim()).filter(Boolean);
    const showHistory = async () => {
      if (!story) return;
      try {
        const list = await a.history();
        clear(
          exp.history,
          list.map((e) =>
            h(
              "li",
              {},
              `${e.created_at.slice(0, 16).replace("T", " ")} · ${e.target} · r${e.revision} · ${e.action}${e.status ? ` · ${e.status}` : ""} · ${e.actor}`,
              e.url ? h("span", { class: "muted" }, ` · ${e.url}`) : null,
              e.error ? h("span", { class: "warn" }, ` · ${e.error}`) : null,
            ),
          ),
        );
      } catch (e) {
        clear(exp.history, h("li", { class: "warn" }, a.message(e)));
      }
    };

    const refresh = (next: TargetInfo[]) => {
      targets = next;
      clear(
        list,
        targets.length
          ? targets.map((t) =>
              h(
                "li",
                { "data-testid": `target-${t.name}` },
                h("strong", {}, t.name),
                ` ${t.kind} · ${t.url}${t.user ? ` · ${t.user}` : ""}`,
                t.secret_source === "missing" ? h("span", { class: "warn" }, " · no secret") : h("span", { class: "muted" }, ` · secret in ${t.secret_source === "env" ? "environment" : "keychain"}`),
                " ",
                h("button", { class: "btn small", type: "button", onclick: () => void check(t.name) }, "Check"),
                h("button", { class: "btn small", type: "button", onclick: () => void remove(t.name) }, "Remove"),
              ),
            )
          : h("li", { class: "muted" }, "No targets yet. Files (Markdown, HTML) can always be exported."),
      );
      clear(exp.target, targets.map((t) => h("option", { value: t.name }, `${t.name} (${t.kind})`)));
      exp.send.disabled = true;
      clear(exp.preview);
    };

    const check = async (name: string) => {
      say(`Checking ${name}…`);
      try {
        say(`${name}: ${await a.check(name)}`);
      } catch (e) {
        say(a.message(e));
      }
    };
    const remove = async (name: string) => {
      try {
        refresh(await a.remove(name));
        say(`Removed ${name}; its export history stays.`);
      } catch (e) {
        say(a.message(e));
      }
    };

    const preview = async () => {
      exp.send.disabled = true;
      if (!exp.target.value) return;
      try {
        const p = await a.plan(exp.target.value, exp.status.value, tags());
        // The body is shown as its HTML source, as text: exactly what is sent, never rendered here.
        clear(
          exp.preview,
          h("p", {}, h("strong", {}, p.action === "none" ? "Unchanged since the last export: nothing to send." : `${p.action === "create" ? "Create a new" : "Update the"} ${p.kind} post${p.remote_id ? ` ${p.remote_id}` : ""}`), ` · revision ${p.revision} signed off by ${p.signed_off_by} · status ${p.status} · ${p.event}`),
          h("p", {}, h("strong", {}, p.title)),
          p.excerpt ? h("p", { class: "muted" }, p.excerpt) : null,
          p.tags.length ? h("p", { class: "muted" }, `Tags: ${p.tags.join(", ")}`) : null,
          h("pre", { class: "html-source", "data-testid": "export-body", style: "white-space:pre-wrap;overflow-wrap:anywhere;max-height:18rem;overflow:auto" }, p.body_html),
        );
        exp.send.disabled = p.action === "none";
      } catch (e) {
        clear(exp.preview, h("p", { class: "warn", role: "alert" }, a.message(e)));
      }
    };
    exp.send.addEventListener("click", async () => {
      exp.send.disabled = true;
      say(`Sending to ${exp.target.value}…`);
      try {
        const o = await a.send(exp.target.value, exp.status.value, tags());
        say(`${o.action === "create" ? "Created" : o.action === "update" ? "Updated" : "Unchanged:"} ${o.kind} post ${o.remote_id ?? ""} (${o.status})${o.url ? ` — ${o.url}` : ""}${o.recovered ? " — found after a lost reply, not posted twice" : ""}`);
      } catch (e) {
        say(a.message(e));
      }
      await showHistory();
    });

    const exportSection = story
      ? h(
          "section",
          { class: "export-target", "data-testid": "export-section" },
          h("h3", {}, `Send “${story.title}” to a CMS`),
          h("p", { class: "muted" }, "Only the signed-off revision is sent. Preview shows exactly what would go; nothing is sent until you press Send."),
          h("div", { class: "grid3" }, exp.target, exp.status, exp.tags),
          h("div", { class: "row" }, h("button", { class: "btn", type: "button", "data-testid": "export-preview-button", onclick: () => void preview() }, "Preview"), exp.send),
          exp.preview,
          h("h3", {}, "Sent so far"),
          exp.history,
        )
      : null;

    const dlg = h(
      "dialog",
      { class: "dialog wide", "data-testid": "targets-dialog" },
      h(
        "form",
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            try {
              const t = await a.add({
                name: f.name.value.trim(),
                kind: f.kind.value,
                url: f.url.value.trim(),
                user: f.kind.value === "wordpress" ? f.user.value.trim() || null : null,
                secret: f.secret.value,
              });
              f.secret.value = "";
              refresh(await a.list());
              say(`Added ${t.name}; its secret is in the OS keychain.`);
            } catch (err) {
              f.secret.value = "";
              say(a.message(err));
            }
          },
        },
        h("h2", {}, "Export targets"),
        list,
        h("div", { class: "grid2" }, h("label", {}, "Name", f.name), h("label", {}, "Kind", f.kind), h("label", {}, "URL", f.url), h("label", {}, "User", f.user), h("label", {}, "Secret", f.secret)),
        h("div", { class: "row" }, h("button", { class: "btn primary", type: "submit", "data-testid": "target-add" }, "Add target")),
        exportSection,
        status,
        h("div", { class: "row" }, h("button", { class: "btn", type: "button", onclick: () => done() }, "Close")),
      ),
    );
    const close = showModal(dlg, () => done());
    const done = () => {
      close();
      resolve();
    };
    refresh([]);
    a.list().then(refresh, (e) => say(a.message(e)));
    void showHistory();
  });
}
