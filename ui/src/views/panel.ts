import type { FaqItem } from "../bindings/FaqItem";
import type { StoryRecord } from "../bindings/StoryRecord";
import type { StoryView } from "../bindings/StoryView";
import { h, when } from "../dom";
import { highlighted } from "./evidence";
import { keyFor } from "./story";
import { historyPanel, type HistoryProps } from "./history";

export type Tab = "sources" | "faq" | "history";
export type SourceSort = "label" | "time" | "platform" | "weight";

export interface PanelProps {
  view: StoryView;
  tab: Tab;
  faq: FaqItem[] | null;
  highlight: number | null;
  /** The paragraph whose citation was clicked: its quotes are marked in the source text. */
  evidence: string | null;
  reading: Set<number>;
  sort: SourceSort;
  openError: { recordId: number; text: string } | null;
  busy: boolean;
  history: HistoryProps;
  /** Other stories of the beat, for "Move to…". */
  others: { id: number; title: string }[];
  selected: Set<number>;
  onSelect: (recordId: number) => void;
  onMove: (recordId: number) => void;
  /** A card dragged by its handle onto a story in the list moves there. */
  onDragStart: (recordId: number, e: DragEvent) => void;
  onDragEnd: () => void;
  /** Source cards drawn so far: a big story draws more as the panel is scrolled. */
  sourceLimit: number;
  onMoreSources: () => void;
  onSplit: () => void;
  onTab: (t: Tab) => void;
  onToggle: (recordId: number, included: boolean) => void;
  onOpen: (recordId: number, url: string) => void;
  onRead: (recordId: number) => void;
  /** The record's text, or null while it is being fetched. */
  textOf: (sr: StoryRecord) => string | null;
  onSort: (s: SourceSort) => void;
  onRemoveSource: (recordId: number) => void;
  onFaqEdit: () => void;
  onFaqSave: () => void;
  onFaqCancel: () => void;
  onRerender: () => void;
  onRegenerateFaq: () => void;
  onAddSource: () => void;
}

const PLATFORM: Record<string, string> = { reddit: "Reddit", bluesky: "Bluesky", news: "News", web: "Web", manual: "Manual" };

const RELATION: Record<string, string> = {
  reply_to: "reply to",
  thread_root: "in the thread of",
  quotes: "quotes",
  reposts: "reposts",
  links_to: "links to",
  comment_on: "comment on",
  crosspost_of: "crosspost of",
  points_to: "points to",
  wire_copy_of: "wire copy of",
  cited_by: "cited by",
};

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

function relations(p: PanelProps, sr: StoryRecord) {
  if (!sr.relations.length) return null;
  const byId = new Map(p.view.records.map((r) => [r.record.id, r]));
  return h(
    "ul",
    { class: "relations", "data-testid": "relations" },
    sr.relations.slice(0, 6).map((l) => {
      const t = l.target_record_id !== null ? byId.get(l.target_record_id) : undefined;
      return h("li", {}, `${RELATION[l.kind] ?? l.kind} `, t ? `[${t.label}] ${t.record.title.slice(0, 70)}` : l.target_key.slice(0, 90));
    }),
  );
}

function sourceText(p: PanelProps, sr: StoryRecord) {
  const text = p.textOf(sr);
  const r = sr.record;
  return h(
    "div",
    { class: "source-text", dir: "auto", "data-testid": "source-text", tabindex: 0 },
    text === null
      ? h("span", { class: "muted", "data-testid": "source-text-loading" }, "Reading the stored text…")
      : text
        ? highlighted(text, p.highlight === r.id ? p.evidence : null)
        : h("span", { class: "muted" }, "No stored text: only the title was fetched."),
  );
}

function source(p: PanelProps, sr: StoryRecord) {
  const r = sr.record;
  const open = p.reading.has(r.id) || p.highlight === r.id;
  return h(
    "li",
    {
      class: `source${sr.included ? "" : " excluded"}${p.highlight === r.id ? " highlight" : ""}`,
      id: `record-${r.id}`,
      "data-key": r.id,
      "data-testid": "source",
      "data-record-id": r.id,
    },
    h(
      "div",
      { class: "source-top" },
      p.others.length
        ? h("span", { class: "drag-handle", draggable: "true", "data-testid": "drag-source", title: "Drag onto a story in the list to move this record there", "aria-hidden": "true", ondragstart: (e) => p.onDragStart(r.id, e as DragEvent), ondragend: p.onDragEnd }, "⠿")
        : null,
      h("input", { type: "checkbox", class: "pick-source", "aria-label": "Select to split out", "data-testid": "select-source", checked: p.selected.has(r.id), onchange: () => p.onSelect(r.id) }),
      h("span", { class: "num", "data-testid": "source-label" }, `[${sr.label}]`),
      h("span", { class: `platform platform-${r.platform}` }, PLATFORM[r.platform] ?? r.platform),
      r.platform === "manual" ? h("span", { class: "manual-chip", title: r.note ?? "" }, `added by ${r.added_by ?? "a reporter"}`) : null,
      h("span", { class: "source-time" }, when(r.published_at)),
    ),
    h("div", { class: "source-title", dir: "auto" }, r.title),
    h("div", { class: "source-by", dir: "auto" }, byline(r)),
    r.note ? h("div", { class: "source-note", dir: "auto" }, `Note: ${r.note}`) : null,
    relations(p, sr),
    open ? sourceText(p, sr) : null,
    h(
      "div",
      { class: "source-actions" },
      h("button", { class: "link", "data-testid": "read-source", "aria-expanded": open ? "true" : "false", onclick: () => p.onRead(r.id) }, open ? "Hide text" : "Read"),
      h("button", { class: "link", title: r.url, onclick: () => p.onOpen(r.id, r.url) }, "Open ↗"),
      r.platform === "manual" ? h("button", { class: "link danger", "data-testid": "remove-source", onclick: () => p.onRemoveSource(r.id) }, "Remove") : null,
      p.others.length ? h("button", { class: "link", "data-testid": "move-to", title: "Move this record to another story", disabled: p.busy, onclick: () => p.onMove(r.id) }, "Move…") : null,
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
    p.openError?.recordId === r.id ? h("div", { class: "field-error", role: "alert", "data-testid": "open-error" }, p.openError.text) : null,
    sr.why.length ? h("div", { class: "why-terms", title: "Why this record is in the story" }, sr.why.map((w) => h("span", { class: "term" }, w))) : null,
    r.status !== "kept" ? h("div", { class: "warn" }, `${r.status}: ${r.reason ?? ""}`) : null,
  );
}

function sorted(p: PanelProps): StoryRecord[] {
  const list = [...p.view.records];
  const by: Record<SourceSort, (a: StoryRecord, b: StoryRecord) => number> = {
    label: (a, b) => a.label - b.label,
    time: (a, b) => b.record.published_at.localeCompare(a.record.published_at),
    platform: (a, b) => a.record.platform.localeCompare(b.record.platform) || a.label - b.label,
    weight: (a, b) => b.weight - a.weight || a.label - b.label,
  };
  return list.sort(by[p.sort]);
}

/** The cards drawn so far (always through the highlighted one), and a way to draw more. */
function sourceList(p: PanelProps) {
  const list = sorted(p);
  const at = p.highlight === null ? -1 : list.findIndex((r) => r.record.id === p.highlight);
  const limit = Math.max(p.sourceLimit, at + 1);
  const rest = list.length - limit;
  return [
    h("ol", { class: "sources" }, list.slice(0, limit).map((r) => source(p, r))),
    rest > 0
      ? h("button", { class: "btn small more-sources", "data-testid": "sources-more", onclick: p.onMoreSources }, `Show more (${rest} not drawn yet)`)
      : null,
  ];
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
          { class: "faq-item", "data-testid": "faq-edit-item", "data-key": keyFor(f) },
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

export function panel(p: PanelProps) {
  const tabs: [Tab, string][] = [
    ["sources", `Sources (${p.view.records.length})`],
    ["faq", `FAQ (${p.view.draft?.document.faq.length ?? 0})`],
    ["history", `History (${p.view.history.length})`],
  ];
  return h(
    "aside",
    { class: "panel", "aria-label": "Sources, FAQ and history", "data-key": "panel" },
    h(
      "div",
      { class: "tabs", role: "tablist" },
      tabs.map(([t, label]) =>
        h("button", { role: "tab", class: `tab${p.tab === t ? " active" : ""}`, "aria-selected": p.tab === t ? "true" : "false", "data-testid": `tab-${t}`, onclick: () => p.onTab(t) }, label),
      ),
    ),
    h(
      "div",
      {
        class: "panel-body",
        // Near the end of the drawn cards, draw the next ones.
        onscroll: (e) => {
          const b = e.currentTarget as HTMLElement;
          if (p.tab === "sources" && b.scrollTop + b.clientHeight > b.scrollHeight - 800) p.onMoreSources();
        },
      },
      p.tab === "sources"
        ? [
            h(
              "div",
              { class: "sources-bar" },
              h("button", { class: "btn small add-source", "data-testid": "add-source", disabled: p.busy, onclick: p.onAddSource }, "+ Add source"),
              p.selected.size
                ? h("button", { class: "btn small", "data-testid": "split", disabled: p.busy, title: "The selected records become a story of their own", onclick: p.onSplit }, `Split ${p.selected.size} out`)
                : null,
              h(
                "select",
                { "aria-label": "Sort sources", "data-testid": "source-sort", onchange: (e) => p.onSort((e.target as HTMLSelectElement).value as SourceSort) },
                (
                  [
                    ["label", "By number"],
                    ["time", "Newest first"],
                    ["platform", "By platform"],
                    ["weight", "By weight"],
                  ] as [SourceSort, string][]
                ).map(([v, l]) => h("option", { value: v, selected: p.sort === v }, l)),
              ),
            ),
            p.view.records.length
              ? sourceList(p)
              : h("p", { class: "muted" }, "No sources in this story. Add a reporter's source with + Add source."),
          ]
        : p.tab === "faq"
          ? faqView(p)
          : historyPanel(p.history),
    ),
  );
}
