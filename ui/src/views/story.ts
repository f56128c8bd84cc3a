import type { Paragraph } from "../bindings/Paragraph";
import type { StoryDocument } from "../bindings/StoryDocument";
import type { StoryView } from "../bindings/StoryView";
import { h, when } from "../dom";
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
  busy: boolean;
  onEdit: () => void;
  onCancel: () => void;
  onSave: () => void;
  onDraft: () => void;
  onSignOff: () => void;
  onExport: (format: "markdown" | "html") => void;
  onCite: (recordId: number) => void;
}

/** Citation numbers follow the order of the story's source list. */
function citeNumbers(view: StoryView): Map<number, number> {
  return new Map(view.records.map((r, i) => [r.record.id, i + 1]));
}

function cites(ids: number[], numbers: Map<number, number>, onCite: (id: number) => void) {
  return ids.map((id) =>
    h("button", { class: "cite", title: "Show this source", "data-record-id": id, onclick: () => onCite(id) }, `[${numbers.get(id) ?? "?"}]`),
  );
}

function para(p: Paragraph, numbers: Map<number, number>, onCite: (id: number) => void) {
  return h(
    "p",
    { class: p.citations.length ? "para" : "para uncited", title: p.citations.length ? undefined : "No citation: the editor's own words" },
    p.text,
    " ",
    cites(p.citations, numbers, onCite),
  );
}

function header(p: StoryProps) {
  const v = p.view;
  const last = v.story.last_signoff;
  const d = v.draft;
  return h(
    "header",
    { class: "story-head" },
    h(
      "div",
      { class: "story-status-line" },
      statusPill(v.story.status),
      d ? h("span", { class: "muted", "data-testid": "revision" }, `Revision ${d.revision} · ${d.author.kind === "editor" ? "edited by" : "drafted by"} ${d.author.name} · ${when(d.created_at)}`) : null,
      last
        ? h("span", { class: "signoff-line", "data-testid": "last-signoff" }, `Signed off by ${last.editor} · r${last.revision} · ${when(last.created_at)}`)
        : h("span", { class: "muted" }, "Not signed off"),
    ),
    h(
      "div",
      { class: "toolbar", role: "toolbar" },
      p.editing
        ? [
            h("button", { class: "btn primary", "data-testid": "save", disabled: p.busy, onclick: p.onSave }, "Save revision"),
            h("button", { class: "btn", onclick: p.onCancel, disabled: p.busy }, "Cancel"),
          ]
        : [
            d ? h("button", { class: "btn", "data-testid": "edit", onclick: p.onEdit, disabled: p.busy }, "Edit") : null,
            h(
              "span",
              { class: "draft-group" },
              h(
                "select",
                { "aria-label": "Writer", "data-testid": "writer", disabled: p.busy, onchange: (e) => p.onWriter((e.target as HTMLSelectElement).value) },
                p.writers.map((w) => h("option", { value: w, selected: w === p.writer }, w === "offline" ? "Offline writer" : w)),
              ),
              h("button", { class: "btn", "data-testid": "draft", onclick: p.onDraft, disabled: p.busy }, d ? "Redraft" : "Draft"),
            ),
            d ? h("button", { class: "btn primary", "data-testid": "signoff", onclick: p.onSignOff, disabled: p.busy }, "Sign off") : null,
            d
              ? h(
                  "span",
                  { class: "seg" },
                  h("button", { class: "btn", "data-testid": "export-md", title: "Export Markdown to the exports folder", onclick: () => p.onExport("markdown"), disabled: p.busy }, "Export .md"),
                  h("button", { class: "btn", title: "Export an HTML page to the exports folder", onclick: () => p.onExport("html"), disabled: p.busy }, ".html"),
                )
              : null,
          ],
    ),
    v.last_failure ? h("div", { class: "failure", role: "alert", "data-testid": "last-failure" }, `Last model draft failed: ${v.last_failure}. No revision was written.`) : null,
    signalBreakdown(v.story.signal),
  );
}

function reading(p: StoryProps, doc: StoryDocument) {
  const n = citeNumbers(p.view);
  return h(
    "article",
    { class: "story-doc", "data-testid": "story-doc" },
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
          h("button", { class: "regen", title: `Write this section again with the ${p.writer === "offline" ? "offline writer" : p.writer}, keeping the rest`, "data-testid": "regen-section", disabled: p.busy, onclick: () => p.onRegenerate(i) }, "↻ Regenerate"),
        ),
        s.paragraphs.map((x) => para(x, n, p.onCite)),
      ),
    ),
    doc.story_so_far.length
      ? h("section", { class: "so-far" }, h("h2", {}, "The story so far"), h("ul", {}, doc.story_so_far.map((x) => h("li", {}, para(x, n, p.onCite)))))
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

/** Edit mode: inputs bound straight to the working copy of the document. */
function editor(p: StoryProps, doc: StoryDocument) {
  const n = citeNumbers(p.view);
  return h(
    "article",
    { class: "story-doc editing", "data-testid": "story-editor" },
    h("label", { class: "field" }, "Headline", h("input", { class: "headline-input", "data-testid": "edit-headline", value: doc.headline, oninput: (e) => (doc.headline = (e.target as HTMLInputElement).value) })),
    h("label", { class: "field" }, "Dek", autosize(h("textarea", { rows: 2, "data-testid": "edit-dek", oninput: (e) => (doc.dek = (e.target as HTMLTextAreaElement).value) }, doc.dek))),
    doc.sections.map((s, si) =>
      h(
        "section",
        {},
        h("input", { class: "heading-input", value: s.heading, "aria-label": `Section ${si + 1} heading`, oninput: (e) => (s.heading = (e.target as HTMLInputElement).value) }),
        s.paragraphs.map((x, pi) =>
          h(
            "div",
            { class: "para-edit" },
            autosize(h("textarea", { rows: 3, "data-testid": "edit-paragraph", "aria-label": `Section ${si + 1} paragraph ${pi + 1}`, oninput: (e) => (x.text = (e.target as HTMLTextAreaElement).value) }, x.text)),
            h("div", { class: "para-cites" }, x.citations.length ? ["Cites ", cites(x.citations, n, p.onCite)] : h("span", { class: "warn" }, "No citation")),
          ),
        ),
      ),
    ),
    h("p", { class: "muted" }, "The story so far, the methodology and citations are kept from the draft; the FAQ is edited in its panel."),
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

export function storyPane(p: StoryProps) {
  const doc = p.editing ?? p.view.draft?.document ?? null;
  if (p.streaming !== null) {
    return h("main", { class: "story-pane", "aria-label": "Story" }, header(p), streamingBox(p));
  }
  return h(
    "main",
    { class: "story-pane", "aria-label": "Story" },
    header(p),
    doc
      ? p.editing
        ? editor(p, doc)
        : reading(p, doc)
      : h(
          "div",
          { class: "empty" },
          h("h1", { class: "headline" }, p.view.story.title),
          h("p", {}, `This story has ${p.view.story.record_count} records and no draft yet. The offline writer drafts from the records alone, quoting them and citing every paragraph.`),
        ),
  );
}
