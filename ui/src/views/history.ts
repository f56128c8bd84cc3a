import type { AuditEntry } from "../bindings/AuditEntry";
import type { DiffBlock } from "../bindings/DiffBlock";
import type { RevisionDiff } from "../bindings/RevisionDiff";
import type { StoryView } from "../bindings/StoryView";
import { h, when } from "../dom";
import { draftFigures } from "./writers";

const marks = (ids: number[]) => (ids.length ? ` [${ids.join("] [")}]` : "");

function words(b: DiffBlock, keep: "before" | "after" | "both") {
  return b.words
    .filter((w) => keep === "both" || (keep === "before" ? w.op !== "added" : w.op !== "removed"))
    .map((w, i) => [i ? " " : "", w.op === "same" ? w.text : h(w.op === "added" ? "ins" : "del", {}, w.text)]);
}

/** A comparison of two revisions: inline (one column, deletions struck) or side by side. */
export function diffView(d: RevisionDiff, mode: "inline" | "side") {
  const blocks = d.blocks;
  if (mode === "inline") {
    return h(
      "div",
      { class: "diff inline", "data-testid": "diff" },
      blocks.map((b) =>
        h(
          "div",
          { class: `diff-block ${b.change}`, "data-testid": `diff-${b.change}`, dir: "auto" },
          h("div", { class: "diff-place" }, b.place),
          h("p", {}, words(b, "both"), b.change === "changed" && marks(b.citations_before) !== marks(b.citations_after) ? h("span", { class: "diff-cites" }, ` citations${marks(b.citations_before)} →${marks(b.citations_after) || " none"}`) : h("span", { class: "diff-cites" }, marks(b.citations_after.length ? b.citations_after : b.citations_before))),
        ),
      ),
    );
  }
  return h(
    "div",
    { class: "diff side", "data-testid": "diff" },
    h("div", { class: "diff-row head" }, h("div", {}, `Revision ${d.from}`), h("div", {}, `Revision ${d.to}`)),
    blocks.map((b) =>
      h(
        "div",
        { class: `diff-row ${b.change}`, "data-testid": `diff-${b.change}` },
        h("div", { dir: "auto" }, b.change === "added" ? null : [h("div", { class: "diff-place" }, b.place), h("p", {}, words(b, "before"), h("span", { class: "diff-cites" }, marks(b.citations_before)))]),
        h("div", { dir: "auto" }, b.change === "removed" ? null : [h("div", { class: "diff-place" }, b.place), h("p", {}, words(b, "after"), h("span", { class: "diff-cites" }, marks(b.citations_after)))]),
      ),
    ),
  );
}

export interface HistoryProps {
  view: StoryView;
  audit: AuditEntry[] | null;
  compare: { from: number; to: number };
  busy: boolean;
  onOpen: (revision: number) => void;
  onCompare: (from: number, to: number) => void;
  onCompareChange: (from: number, to: number) => void;
}

const ACTIONS: Record<string, string> = {
  draft: "drafted",
  edit: "edited",
  sign_off: "signed off",
  export: "exported",
  export_failed: "tried to export",
  include_source: "included a source",
  exclude_source: "excluded a source",
  add_source: "added a source",
  remove_source: "removed a source",
  attribute_source: "attributed a source",
  restore: "restored a revision",
  spike: "spiked the story",
  unspike: "brought the story back",
  remove_citations: "removed a source's citations",
  regenerate: "regenerated a part",
  draft_failed: "model draft failed",
  move_record: "moved a record into this story",
  merge_stories: "merged another story into this one",
  split_records: "split records out of a story",
};

function auditLine(e: AuditEntry) {
  const d = e.detail as Record<string, unknown>;
  const rev = typeof d.revision === "number" ? ` · r${d.revision}` : "";
  const from = typeof d.restored_from === "number" ? ` from r${d.restored_from}` : "";
  // Exports say where they went and what the CMS did (create, update, none).
  const dest = typeof d.target === "string" ? ` to ${d.target}` : typeof d.format === "string" ? ` as ${d.format}` : "";
  const did = typeof d.action === "string" ? ` (${d.action})` : "";
  const where = typeof d.url === "string" ? d.url : typeof d.location === "string" ? d.location : null;
  return h(
    "li",
    { "data-testid": "audit-entry" },
    h("strong", {}, e.actor),
    ` ${ACTIONS[e.action] ?? e.action}${dest}${did}${from}${rev}`,
    where ? h("div", { class: "muted", dir: "ltr" }, where) : null,
    h("div", { class: "muted" }, when(e.at)),
  );
}

export function historyPanel(p: HistoryProps) {
  const v = p.view;
  const revs = v.history.map((d) => d.revision);
  const pick = (value: number, on: (n: number) => void, label: string, testid: string) =>
    h("select", { "aria-label": label, "data-testid": testid, onchange: (e) => on(Number((e.target as HTMLSelectElement).value)) }, revs.map((r) => h("option", { value: r, selected: r === value }, `r${r}`)));
  return h(
    "div",
    { class: "history" },
    revs.length > 1
      ? h(
          "div",
          { class: "compare-bar" },
          "Compare ",
          pick(p.compare.from, (n) => p.onCompareChange(n, p.compare.to), "Compare from revision", "compare-from"),
          " with ",
          pick(p.compare.to, (n) => p.onCompareChange(p.compare.from, n), "Compare to revision", "compare-to"),
          h("button", { class: "btn small", "data-testid": "compare", disabled: p.busy || p.compare.from === p.compare.to, onclick: () => p.onCompare(p.compare.from, p.compare.to) }, "Compare"),
        )
      : null,
    h("h3", {}, "Revisions"),
    v.history.length
      ? h(
          "ol",
          { class: "revisions", reversed: true },
          v.history.map((d) =>
            h(
              "li",
              { "data-testid": "revision-item", "data-key": d.revision },
              h("button", { class: "link", "data-testid": "open-revision", title: "Open read-only", onclick: () => p.onOpen(d.revision) }, `r${d.revision}`),
              ` ${d.author.kind} ${d.author.name} · ${when(d.created_at)}`,
              v.signoffs.some((s) => s.revision === d.revision) ? h("span", { class: "signed-chip" }, " ✓ signed") : null,
              h("div", { class: "muted" }, d.headline),
              draftFigures(d.meta),
            ),
          ),
        )
      : h("p", { class: "muted" }, "No revisions yet: draft the story first."),
    h("h3", {}, "Sign-offs"),
    v.signoffs.length
      ? h("ul", {}, v.signoffs.map((s) => h("li", {}, `${s.editor} signed off r${s.revision} · ${when(s.created_at)}`, s.note ? h("div", { class: "muted" }, s.note) : null)))
      : h("p", { class: "muted" }, "None yet."),
    h("h3", {}, "Who did what"),
    p.audit ? h("ol", { class: "audit", reversed: true, "data-testid": "audit" }, [...p.audit].reverse().map(auditLine)) : h("p", { class: "muted" }, "Loading…"),
  );
}
