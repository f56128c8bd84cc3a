import type { Draft } from "../bindings/Draft";
import type { EditBuffer } from "../bindings/EditBuffer";
import type { Paragraph } from "../bindings/Paragraph";
import type { RevisionDiff } from "../bindings/RevisionDiff";
import type { StoryDocument } from "../bindings/StoryDocument";
import type { StoryRecord } from "../bindings/StoryRecord";
import type { StoryView } from "../bindings/StoryView";
import { h, when } from "../dom";
import { diffView } from "./history";
import { signalBreakdown } from "./signal";
import { statusPill } from "./sidebar";

export interface StoryProps {
  view: StoryView;
  writers: string[];
  writer: string;
  streaming: string | null;
  onWriter: (w: string) => void;
  onCancelDraft: () => void;
  onRegenerate: (section: number) => void;
  editing: StoryDocument | null;
  /** Errors beside fields, by field: headline, dek, section-N, paragraph… */
  errors: Record<string, string>;
  busy: boolean;
  /** An old revision opened read-only. */
  revision: Draft | null;
  diff: RevisionDiff | null;
  diffMode: "inline" | "side";
  buffer: EditBuffer | null;
  /** An excluded source the current revision still cites. */
  stillCited: { recordId: number; label: number; count: number } | null;
  onEdit: () => void;
  onCancel: () => void;
  onSave: () => void;
  /** The working copy changed; `structural` when the page must be redrawn (not just typed text). */
  onChange: (structural: boolean) => void;
  onDraft: () => void;
  onSignOff: () => void;
  onSpike: () => void;
  onMerge: () => void;
  onUnspike: () => void;
  onExport: (format: "markdown" | "html") => void;
  onCite: (recordId: number, paragraph: string) => void;
  onRestore: (revision: number) => void;
  onCloseRevision: () => void;
  onDiffMode: (m: "inline" | "side") => void;
  onBufferRestore: () => void;
  onBufferDiscard: () => void;
  onUncite: (recordId: number) => void;
}

/** Stable keys for paragraphs and sections being edited, so reordering moves
 * their inputs (with focus and caret) instead of retyping them. */
const keys = new WeakMap<object, number>();
let nextKey = 1;
export function keyFor(o: object): number {
  let k = keys.get(o);
  if (k === undefined) {
    k = nextKey++;
    keys.set(o, k);
  }
  return k;
}

const labelCache = new WeakMap<StoryView, Map<number, number>>();
const recordCache = new WeakMap<StoryView, Map<number, StoryRecord>>();

/** Every citation label of the story: the stable number each record got when it joined. */
export function labelsOf(view: StoryView): Map<number, number> {
  let m = labelCache.get(view);
  if (!m) {
    m = new Map<number, number>(view.records.map((r) => [r.record.id, r.label]));
    for (const [id, label] of view.other_labels) m.set(id, label);
    labelCache.set(view, m);
  }
  return m;
}

/** The story's sources by record id (computed once per view). */
export function recordsOf(view: StoryView): Map<number, StoryRecord> {
  let m = recordCache.get(view);
  if (!m) {
    m = new Map(view.records.map((r) => [r.record.id, r]));
    recordCache.set(view, m);
  }
  return m;
}

function cites(view: StoryView, ids: number[], paragraph: string, onCite: StoryProps["onCite"]) {
  const labels = labelsOf(view);
  const byId = recordsOf(view);
  return ids.map((id) => {
    const sr = byId.get(id);
    const excluded = sr && !sr.included;
    const title = sr ? `[${sr.label}] ${sr.record.title} — ${sr.record.author}${excluded ? " (excluded)" : ""}` : "A record no longer in this story";
    return h(
      "button",
      { class: `cite${excluded ? " excluded" : ""}`, title, "data-record-id": id, "data-testid": "cite", onclick: () => onCite(id, paragraph) },
      `[${labels.get(id) ?? "?"}]`,
    );
  });
}

function para(p: StoryProps, x: Paragraph) {
  return h(
    "p",
    { class: x.citations.length ? "para" : "para uncited", title: x.citations.length ? undefined : "No citation: the editor's own words" },
    x.text,
    " ",
    cites(p.view, x.citations, x.text, p.onCite),
  );
}

function approval(p: StoryProps) {
  const v = p.view;
  const last = v.story.last_signoff;
  const d = v.draft;
  if (!last) return h("span", { class: "muted", "data-testid": "approval" }, "Not signed off");
  if (d && last.revision === d.revision) {
    return h("span", { class: "signoff-line", "data-testid": "approval" }, `Signed off by ${last.editor} · r${last.revision} · ${when(last.created_at)}`);
  }
  return h(
    "span",
    { class: "unsigned-line", "data-testid": "approval" },
    `Revision ${d?.revision} is not signed off (r${last.revision} was, by ${last.editor})`,
  );
}

function header(p: StoryProps) {
  const v = p.view;
  const d = v.draft;
  const spiked = v.story.status === "spiked";
  return h(
    "header",
    { class: "story-head" },
    h(
      "div",
      { class: "story-status-line" },
      statusPill(v.story.status),
      d ? h("span", { class: "muted", "data-testid": "revision" }, `Revision ${d.revision} · ${d.author.kind === "editor" ? "edited by" : "drafted by"} ${d.author.name} · ${when(d.created_at)}`) : null,
      approval(p),
      h(
        "span",
        { class: "story-links" },
        h("button", { class: "link", "data-testid": "merge", onclick: p.onMerge, disabled: p.busy || !!p.editing, title: "Bring another story's records into this one" }, "Merge…"),
        h("button", { class: "link", "data-testid": spiked ? "unspike" : "spike", onclick: spiked ? p.onUnspike : p.onSpike, disabled: p.busy || !!p.editing, title: spiked ? "Bring the story back" : "Set the story aside (reversible)" }, spiked ? "Un-spike" : "Spike"),
      ),
    ),
    h(
      "div",
      { class: "toolbar", role: "toolbar", "aria-label": "Story actions" },
      p.editing
        ? [
            h("button", { class: "btn primary", "data-testid": "save", disabled: p.busy, onclick: p.onSave, title: "Save as a new revision (Ctrl+S)" }, "Save revision"),
            h("button", { class: "btn", "data-testid": "cancel-edit", onclick: p.onCancel, disabled: p.busy, title: "Cancel (Esc)" }, "Cancel"),
          ]
        : [
            d ? h("button", { class: "btn", "data-testid": "edit", onclick: p.onEdit, disabled: p.busy || spiked, title: "Edit (E)" }, "Edit") : null,
            h(
              "span",
              { class: "draft-group" },
              h(
                "select",
                { "aria-label": "Writer", "data-testid": "writer", disabled: p.busy, onchange: (e) => p.onWriter((e.target as HTMLSelectElement).value) },
                p.writers.map((w) => h("option", { value: w, selected: w === p.writer }, w === "offline" ? "Offline writer" : w)),
              ),
              h("button", { class: "btn", "data-testid": "draft", onclick: p.onDraft, disabled: p.busy || spiked }, d ? "Redraft" : "Draft"),
            ),
            d ? h("button", { class: "btn primary", "data-testid": "signoff", onclick: p.onSignOff, disabled: p.busy || spiked, title: "Sign off the current revision (Shift+S)" }, "Sign off") : null,
            d
              ? h(
                  "span",
                  { class: "seg" },
                  h("button", { class: "btn", "data-testid": "export-md", title: "Export Markdown to the exports folder", onclick: () => p.onExport("markdown"), disabled: p.busy || spiked }, "Export .md"),
                  h("button", { class: "btn", title: "Export an HTML page to the exports folder", onclick: () => p.onExport("html"), disabled: p.busy || spiked }, ".html"),
                )
              : null,

          ],
    ),
    v.last_failure ? h("div", { class: "failure", role: "alert", "data-testid": "last-failure" }, `Last model draft failed: ${v.last_failure}. No revision was written.`) : null,
    p.buffer && !p.editing
      ? h(
          "div",
          { class: "notice", role: "status", "data-testid": "buffer-offer" },
          `You have unsaved edits from ${when(p.buffer.saved_at)} (started on revision ${p.buffer.base_revision}).`,
          h("button", { class: "btn small primary", "data-testid": "buffer-restore", onclick: p.onBufferRestore }, "Continue editing"),
          h("button", { class: "btn small", "data-testid": "buffer-discard", onclick: p.onBufferDiscard }, "Discard them"),
        )
      : null,
    p.stillCited && !p.editing
      ? h(
          "div",
          { class: "notice", role: "status", "data-testid": "still-cited" },
          `Source [${p.stillCited.label}] is excluded but revision ${d?.revision} still cites it ${p.stillCited.count}×. Writers will not see it in a redraft.`,
          h("button", { class: "btn small", "data-testid": "uncite", onclick: () => p.onUncite(p.stillCited!.recordId) }, "Remove it from the draft"),
          h("button", { class: "btn small", onclick: p.onDraft }, "Redraft"),
        )
      : null,
    signalBreakdown(v.story.signal, { included: v.records.filter((r) => r.included).length, excluded: v.records.filter((r) => !r.included).length }),
  );
}

function reading(p: StoryProps, doc: StoryDocument) {
  return h(
    "article",
    { class: "story-doc", "data-testid": "story-doc", dir: "auto" },
    h("h1", { class: "headline", "data-testid": "headline" }, doc.headline),
    doc.dek ? h("p", { class: "dek" }, doc.dek) : null,
    doc.sections.map((s, i) =>
      h(
        "section",
        {},
        h(
          "h2",
          { class: "section-head" },
          s.heading,
          p.revision ? null : h("button", { class: "regen", title: `Write this section again with the ${p.writer === "offline" ? "offline writer" : p.writer}, keeping the rest`, "data-testid": "regen-section", disabled: p.busy, onclick: () => p.onRegenerate(i) }, "↻ Regenerate"),
        ),
        s.paragraphs.map((x) => para(p, x)),
      ),
    ),
    doc.story_so_far.length
      ? h("section", { class: "so-far" }, h("h2", {}, "The story so far"), h("ul", {}, doc.story_so_far.map((x) => h("li", {}, para(p, x)))))
      : null,
    doc.methodology ? h("footer", { class: "methodology" }, h("h2", {}, "Methodology"), h("p", {}, doc.methodology)) : null,
  );
}

function autosize(el: HTMLTextAreaElement) {
  const fit = () => {
    el.style.height = "auto";
    el.style.height = `${el.scrollHeight + 2}px`;
  };
  el.addEventListener("input", fit);
  requestAnimationFrame(fit);
  return el;
}

function move<T>(list: T[], i: number, by: number) {
  const j = i + by;
  if (j < 0 || j >= list.length) return;
  [list[i], list[j]] = [list[j], list[i]];
}

const fieldError = (p: StoryProps, field: string) =>
  p.errors[field] ? h("div", { class: "field-error", role: "alert", "data-testid": `error-${field}` }, p.errors[field]) : null;

/** One editable paragraph: text, citation chips (remove with ×, add from the included sources), and its controls. */
function paraEditor(p: StoryProps, list: Paragraph[], i: number, where: string) {
  const x = list[i];
  const labels = labelsOf(p.view);
  const citable = p.view.records.filter((r) => r.included && !x.citations.includes(r.record.id)).sort((a, b) => a.label - b.label);
  const field = `${where}-${i}`;
  return h(
    "div",
    { class: "para-edit", "data-key": keyFor(x), "data-testid": "para-edit" },
    autosize(h("textarea", { rows: 3, dir: "auto", "data-testid": "edit-paragraph", "aria-label": `${where} paragraph ${i + 1}`, oninput: (e) => { x.text = (e.target as HTMLTextAreaElement).value; p.onChange(false); } }, x.text)),
    fieldError(p, field),
    h(
      "div",
      { class: "para-cites" },
      x.citations.length ? "Cites " : h("span", { class: "warn" }, "No citation: your own words "),
      x.citations.map((id, ci) =>
        h(
          "span",
          { class: "chip", "data-testid": "cite-chip", title: recordsOf(p.view).get(id)?.record.title ?? "" },
          `[${labels.get(id) ?? "?"}]`,
          h("button", { class: "chip-x", "aria-label": `Remove citation ${labels.get(id) ?? id}`, "data-testid": "cite-remove", onclick: () => { x.citations.splice(ci, 1); p.onChange(true); } }, "×"),
        ),
      ),
      citable.length
        ? h(
            "select",
            {
              class: "cite-add",
              "aria-label": "Add a citation",
              "data-testid": "cite-add",
              onchange: (e) => {
                const id = Number((e.target as HTMLSelectElement).value);
                if (id) x.citations.push(id);
                p.onChange(true);
              },
            },
            h("option", { value: "", selected: true }, "+ cite…"),
            citable.map((r) => h("option", { value: r.record.id }, `[${r.label}] ${r.record.title.slice(0, 60)}`)),
          )
        : null,
      h(
        "span",
        { class: "para-tools" },
        h("button", { class: "icon", title: "Move up", "aria-label": "Move paragraph up", disabled: i === 0, onclick: () => { move(list, i, -1); p.onChange(true); } }, "↑"),
        h("button", { class: "icon", title: "Move down", "aria-label": "Move paragraph down", disabled: i === list.length - 1, onclick: () => { move(list, i, 1); p.onChange(true); } }, "↓"),
        h("button", { class: "icon", title: "Add a paragraph below", "aria-label": "Add a paragraph below", "data-testid": "para-add", onclick: () => { list.splice(i + 1, 0, { text: "", citations: [] }); p.onChange(true); } }, "+"),
        h("button", { class: "icon danger", title: "Remove this paragraph", "aria-label": "Remove paragraph", "data-testid": "para-remove", onclick: () => { list.splice(i, 1); p.onChange(true); } }, "✕"),
      ),
    ),
  );
}

/** Edit mode: inputs bound straight to the working copy of the document. */
function editor(p: StoryProps, doc: StoryDocument) {
  return h(
    "article",
    { class: "story-doc editing", "data-testid": "story-editor" },
    h("label", { class: "field" }, "Headline", h("input", { class: "headline-input", dir: "auto", "data-testid": "edit-headline", value: doc.headline, oninput: (e) => { doc.headline = (e.target as HTMLInputElement).value; p.onChange(false); } })),
    fieldError(p, "headline"),
    fieldError(p, "citations"),
    h("label", { class: "field" }, "Dek", autosize(h("textarea", { rows: 2, dir: "auto", "data-testid": "edit-dek", oninput: (e) => { doc.dek = (e.target as HTMLTextAreaElement).value; p.onChange(false); } }, doc.dek))),
    doc.sections.map((s, si) =>
      h(
        "section",
        { "data-key": keyFor(s), "data-testid": "section-edit" },
        h(
          "div",
          { class: "section-tools" },
          h("input", { class: "heading-input", dir: "auto", value: s.heading, "data-testid": "edit-heading", "aria-label": `Section ${si + 1} heading`, oninput: (e) => { s.heading = (e.target as HTMLInputElement).value; p.onChange(false); } }),
          h("button", { class: "icon", title: "Move section up", "aria-label": "Move section up", disabled: si === 0, onclick: () => { move(doc.sections, si, -1); p.onChange(true); } }, "↑"),
          h("button", { class: "icon", title: "Move section down", "aria-label": "Move section down", disabled: si === doc.sections.length - 1, onclick: () => { move(doc.sections, si, 1); p.onChange(true); } }, "↓"),
          h("button", { class: "icon danger", title: "Remove section", "aria-label": "Remove section", "data-testid": "section-remove", onclick: () => { doc.sections.splice(si, 1); p.onChange(true); } }, "✕"),
        ),
        fieldError(p, `section-${si}`),
        s.paragraphs.map((_, pi) => paraEditor(p, s.paragraphs, pi, `section-${si}`)),
        s.paragraphs.length ? null : h("button", { class: "btn small", "data-testid": "para-add", onclick: () => { s.paragraphs.push({ text: "", citations: [] }); p.onChange(true); } }, "+ Paragraph"),
      ),
    ),
    h("button", { class: "btn small", "data-testid": "section-add", onclick: () => { doc.sections.push({ heading: "New section", paragraphs: [{ text: "", citations: [] }] }); p.onChange(true); } }, "+ Section"),
    h("h2", {}, "The story so far"),
    doc.story_so_far.map((_, i) => paraEditor(p, doc.story_so_far, i, "so-far")),
    h("button", { class: "btn small", onclick: () => { doc.story_so_far.push({ text: "", citations: [] }); p.onChange(true); } }, "+ Story-so-far line"),
    h("p", { class: "muted" }, "The methodology is built from the record, never typed; the FAQ is edited in its panel. Unsaved text is kept on this computer until you save or discard it."),
  );
}

function streamingBox(p: StoryProps) {
  return h(
    "section",
    { class: "streaming", "data-testid": "streaming" },
    h("div", { class: "row" }, h("strong", {}, `Drafting with ${p.writer}…`), h("button", { class: "btn small danger", "data-testid": "cancel-draft", onclick: p.onCancelDraft }, "Cancel")),
    h("pre", {}, p.streaming || "Waiting for the model…"),
  );
}

function revisionBanner(p: StoryProps, d: Draft) {
  const current = p.view.draft?.revision;
  return h(
    "div",
    { class: "notice readonly", "data-testid": "revision-banner" },
    `Revision ${d.revision} · ${d.author.kind === "editor" ? "edited by" : "drafted by"} ${d.author.name} · ${when(d.created_at)} — read-only.`,
    d.revision !== current ? h("button", { class: "btn small primary", "data-testid": "restore", onclick: () => p.onRestore(d.revision) }, `Restore as revision ${(current ?? 0) + 1}`) : null,
    h("button", { class: "btn small", "data-testid": "close-revision", onclick: p.onCloseRevision }, "Back to the current text"),
  );
}

export function storyPane(p: StoryProps) {
  if (p.streaming !== null) {
    return h("main", { class: "story-pane", "aria-label": "Story", "data-key": "pane" }, header(p), streamingBox(p));
  }
  let body;
  if (p.diff) {
    body = [
      h("div", { class: "notice readonly", "data-testid": "diff-banner" }, `Comparing revision ${p.diff.from} with revision ${p.diff.to}: ${p.diff.changed} change${p.diff.changed === 1 ? "" : "s"}.`,
        h("span", { class: "seg" },
          h("button", { class: `btn small${p.diffMode === "inline" ? " on" : ""}`, "data-testid": "diff-inline", onclick: () => p.onDiffMode("inline") }, "Inline"),
          h("button", { class: `btn small${p.diffMode === "side" ? " on" : ""}`, "data-testid": "diff-side", onclick: () => p.onDiffMode("side") }, "Side by side")),
        h("button", { class: "btn small", "data-testid": "restore", onclick: () => p.onRestore(p.diff!.from) }, `Restore revision ${p.diff.from}`),
        h("button", { class: "btn small", "data-testid": "close-revision", onclick: p.onCloseRevision }, "Close")),
      diffView(p.diff, p.diffMode),
    ];
  } else if (p.revision) {
    body = [revisionBanner(p, p.revision), reading(p, p.revision.document)];
  } else {
    const doc = p.editing ?? p.view.draft?.document ?? null;
    body = doc
      ? p.editing
        ? editor(p, doc)
        : reading(p, doc)
      : h(
          "div",
          { class: "empty" },
          h("h1", { class: "headline", dir: "auto" }, p.view.story.title),
          h("p", {}, `This story has ${p.view.story.record_count} records and no draft yet.`),
          h("p", {}, "Next: press Draft. The offline writer drafts from the records alone, quoting them and citing every paragraph; pick a model writer in the menu beside it if you added one in Settings."),
        );
  }
  return h("main", { class: "story-pane", "aria-label": "Story", "data-key": "pane", "data-story-id": p.view.story.id }, header(p), body);
}
