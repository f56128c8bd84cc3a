import type { FaqItem } from "../bindings/FaqItem";
import type { StoryRecord } from "../bindings/StoryRecord";
import type { StoryView } from "../bindings/StoryView";
import { h, when } from "../dom";
import { draftFigures } from "./writers";

export type Tab = "sources" | "faq" | "history";

export interface PanelProps {
  view: StoryView;
  tab: Tab;
  faq: FaqItem[] | null;
  highlight: number | null;
  busy: boolean;
  onTab: (t: Tab) => void;
  onToggle: (recordId: number, included: boolean) => void;
  onOpen: (url: string) => void;
  onFaqEdit: () => void;
  onFaqSave: () => void;
  onFaqCancel: () => void;
  onRerender: () => void;
  onRegenerateFaq: () => void;
  onAddSource: () => void;
}

const PLATFORM: Record<string, string> = { reddit: "Reddit", bluesky: "Bluesky", news: "News", web: "Web", manual: "Manual" };

function byline(r: StoryRecord["record"]) {
  switch (r.platform) {
    case "reddit":
      return `u/${r.author}${r.community ? ` · r/${r.community}` : ""}`;
    case "bluesky":
      return `@${r.author}`;
    default:
      return [r.author, r.community].filter(Boolean).join(" · ");
  }
}

function source(p: PanelProps, sr: StoryRecord, n: number) {
  const r = sr.record;
  return h(
    "li",
    {
      class: `source${sr.included ? "" : " excluded"}${p.highlight === r.id ? " highlight" : ""}`,
      id: `record-${r.id}`,
      "data-testid": "source",
      "data-record-id": r.id,
    },
    h(
      "div",
      { class: "source-top" },
      h("span", { class: "num" }, `[${n}]`),
      h("span", { class: `platform platform-${r.platform}` }, PLATFORM[r.platform] ?? r.platform),
      r.platform === "manual" ? h("span", { class: "manual-chip", title: r.note ?? "" }, `added by ${r.added_by ?? "a reporter"}`) : null,
      h("span", { class: "source-time" }, when(r.published_at)),
    ),
    h("div", { class: "source-title" }, r.title),
    h("div", { class: "source-by" }, byline(r)),
    h(
      "div",
      { class: "source-actions" },
      h("button", { class: "link", title: r.url, onclick: () => p.onOpen(r.url) }, "Open ↗"),
      h(
        "label",
        { class: "toggle" },
        h("input", {
          type: "checkbox",
          "data-testid": "include-toggle",
          checked: sr.included,
          disabled: p.busy,
          onchange: (e) => p.onToggle(r.id, (e.target as HTMLInputElement).checked),
        }),
        sr.included ? "Included" : "Excluded",
      ),
    ),
    sr.why.length ? h("div", { class: "why-terms", title: "Why this record is in the story" }, sr.why.map((w) => h("span", { class: "term" }, w))) : null,
    r.status !== "kept" ? h("div", { class: "warn" }, `${r.status}: ${r.reason ?? ""}`) : null,
  );
}

function faqView(p: PanelProps) {
  const items = p.view.draft?.document.faq ?? [];
  if (!p.view.draft) return h("p", { class: "muted" }, "Draft the story to get its FAQ.");
  if (p.faq) {
    const list = p.faq;
    return h(
      "div",
      { class: "faq-edit" },
      list.map((f, i) =>
        h(
          "div",
          { class: "faq-item", "data-testid": "faq-edit-item" },
          h("input", { value: f.q, "aria-label": `Question ${i + 1}`, "data-testid": "faq-q", oninput: (e) => (f.q = (e.target as HTMLInputElement).value) }),
          h("textarea", { rows: 4, "aria-label": `Answer ${i + 1}`, "data-testid": "faq-a", oninput: (e) => (f.a = (e.target as HTMLTextAreaElement).value) }, f.a),
          h("button", { class: "btn small danger", "data-testid": "faq-remove", onclick: () => { list.splice(i, 1); p.onRerender(); } }, "Remove"),
        ),
      ),
      h("button", { class: "btn small", "data-testid": "faq-add", onclick: () => { list.push({ q: "", a: "", citations: [] }); p.onRerender(); } }, "Add question"),
      h(
        "div",
        { class: "row" },
        h("button", { class: "btn primary", "data-testid": "faq-save", disabled: p.busy, onclick: p.onFaqSave }, "Save FAQ"),
        h("button", { class: "btn", onclick: p.onFaqCancel }, "Cancel"),
      ),
    );
  }
  return h(
    "div",
    {},
    h("dl", { class: "faq" }, items.map((f) => [h("dt", {}, f.q), h("dd", {}, f.a)])),
    h(
      "div",
      { class: "row" },
      h("button", { class: "btn small", "data-testid": "faq-edit", onclick: p.onFaqEdit }, "Edit FAQ"),
      h("button", { class: "btn small", "data-testid": "faq-regenerate", disabled: p.busy, onclick: p.onRegenerateFaq }, "↻ Regenerate FAQ"),
    ),
  );
}

function history(p: PanelProps) {
  const v = p.view;
  return h(
    "div",
    { class: "history" },
    h("h3", {}, "Sign-offs"),
    v.signoffs.length
      ? h("ul", {}, v.signoffs.map((s) => h("li", {}, `${s.editor} signed off r${s.revision} · ${when(s.created_at)}`, s.note ? h("div", { class: "muted" }, s.note) : null)))
      : h("p", { class: "muted" }, "None yet."),
    h("h3", {}, "Revisions"),
    h(
      "ol",
      { class: "revisions", reversed: true },
      v.history.map((d) => h("li", { "data-testid": "revision-item" }, h("strong", {}, `r${d.revision}`), ` ${d.author.kind} ${d.author.name} · ${when(d.created_at)}`, h("div", { class: "muted" }, d.headline), draftFigures(d.meta))),
    ),
  );
}

export function panel(p: PanelProps) {
  const tabs: [Tab, string][] = [
    ["sources", `Sources (${p.view.records.length})`],
    ["faq", `FAQ (${p.view.draft?.document.faq.length ?? 0})`],
    ["history", `History (${p.view.history.length})`],
  ];
  return h(
    "aside",
    { class: "panel", "aria-label": "Sources, FAQ and history" },
    h(
      "div",
      { class: "tabs", role: "tablist" },
      tabs.map(([t, label]) =>
        h("button", { role: "tab", class: `tab${p.tab === t ? " active" : ""}`, "aria-selected": p.tab === t ? "true" : "false", "data-testid": `tab-${t}`, onclick: () => p.onTab(t) }, label),
      ),
    ),
    h(
      "div",
      { class: "panel-body" },
      p.tab === "sources"
        ? [
            h("button", { class: "btn small add-source", "data-testid": "add-source", disabled: p.busy, onclick: p.onAddSource }, "+ Add source"),
            h("ol", { class: "sources" }, p.view.records.map((r, i) => source(p, r, i + 1))),
          ]
        : p.tab === "faq"
          ? faqView(p)
          : history(p),
    ),
  );
}
