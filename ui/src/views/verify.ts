// Verify in the window: flagged spans in the story (fail and warn styled
// apart), a panel of every flag, the cited record opened at its evidence
// span, checks re-run while the editor types (debounced; the check runs in
// the core, off the UI thread), and sign-off held back while a hard failure
// stands, with an "override with reason" path. Text goes in as text nodes only.
import { backend, errorMessage } from "../backend";
import type { Check } from "../bindings/Check";
import type { Claim } from "../bindings/Claim";
import type { StoryDocument } from "../bindings/StoryDocument";
import type { StoryRecord } from "../bindings/StoryRecord";
import type { StoryView } from "../bindings/StoryView";
import type { VerifyReport } from "../bindings/VerifyReport";
import { clear, h, showModal } from "../dom";

/** A source's full text (story views leave texts out). */
export type TextLoader = (sr: StoryRecord) => Promise<string>;

const DEBOUNCE_MS = 400;

function flags(report: VerifyReport): { claim: Claim; check: Check }[] {
  return report.claims.flatMap((claim) => claim.checks.filter((c) => c.status !== "pass").map((check) => ({ claim, check })));
}

/** The hard failures standing, one line each (what blocks a sign-off). */
export function hardFailures(report: VerifyReport | null): string[] {
  if (!report) return [];
  return flags(report)
    .filter((f) => f.check.status === "fail")
    .map((f) => `${f.check.kind}: ${f.check.detail}`);
}

/** The cited record, opened at the evidence span (or saying what was not found). */
async function openEvidence(records: StoryRecord[], check: Check, textOf: TextLoader) {
  const ev = check.evidence;
  const sr = ev ? records.find((r) => r.record.id === ev.record_id) : undefined;
  // Story views leave source texts out: fetch this one (an error shows as the missing text).
  const text = sr ? await textOf(sr).catch((e) => `(${errorMessage(e)})`) : "";
  const rec = sr ? { ...sr.record, text } : undefined;
  let body: HTMLElement;
  if (!ev || !rec) {
    body = h("p", { "data-testid": "evidence-missing" }, `Not found in the cited records. ${check.detail}`);
  } else {
    // Offsets are in code points into title, a blank line, then text.
    const chars = Array.from(`${rec.title}\n\n${rec.text}`);
    const mark = h("mark", { class: `evidence ${check.status}`, "data-testid": "evidence-span" }, chars.slice(ev.start, ev.end).join(""));
    body = h(
      "div",
      { class: "evidence-text" },
      h("p", { class: "muted" }, `${rec.author} · ${rec.platform} · record ${rec.id}`),
      h("pre", { class: "record-text" }, chars.slice(0, ev.start).join(""), mark, chars.slice(ev.end).join("")),
    );
    requestAnimationFrame(() => mark.scrollIntoView({ block: "center" }));
  }
  const dlg = h(
    "dialog",
    { class: "dialog evidence-dialog", "data-testid": "evidence-dialog" },
    h("h2", {}, check.status === "fail" ? "Failed check" : "Check to review"),
    h("p", {}, check.detail),
    body,
    h("div", { class: "row" }, h("button", { class: "btn", "data-testid": "evidence-close", onclick: () => close() }, "Close")),
  );
  const close = showModal(dlg, () => close());
}

/** Wraps each flagged claim's text in the rendered story in a clickable mark. */
function decorate(doc: Element, report: VerifyReport, records: StoryRecord[], textOf: TextLoader) {
  const flagged = report.claims.filter((c) => c.status !== "pass");
  if (!flagged.length) return;
  const targets = doc.querySelectorAll(".headline, .dek, p.para");
  for (const claim of flagged) {
    const worst = claim.checks.find((c) => c.status === claim.status) ?? claim.checks[0];
    for (const el of Array.from(targets)) {
      const node = Array.from(el.childNodes).find((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").includes(claim.text));
      if (!node) continue;
      const text = node.textContent ?? "";
      const at = text.indexOf(claim.text);
      const mark = h(
        "mark",
        { class: `flag ${claim.status}`, title: worst?.detail ?? "", "data-testid": `flag-${claim.status}`, tabindex: 0, onclick: () => worst && void openEvidence(records, worst, textOf) },
        claim.text,
      );
      // Reading order kept: the text before, the flagged claim, the text after.
      (node as ChildNode).replaceWith(document.createTextNode(text.slice(0, at)), mark, document.createTextNode(text.slice(at + claim.text.length)));
      break;
    }
  }
}

function panelBody(report: VerifyReport | null, records: StoryRecord[], pending: boolean, textOf: TextLoader): HTMLElement[] {
  if (!report) return [h("p", { class: "muted" }, pending ? "Checking…" : "Not checked yet.")];
  const s = report.summary;
  const list = flags(report);
  return [
    h(
      "p",
      { class: "verify-summary", "data-testid": "verify-summary" },
      `${s.claims} claims: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail · quotes ${s.quotes_ok}/${s.quotes_checked} · numbers ${s.numbers_ok}/${s.numbers_checked} · citations ${Math.round(s.citation_coverage * 100)}%`,
      pending ? " · re-checking…" : "",
    ),
    list.length
      ? h(
          "ul",
          { class: "flags" },
          list.map(({ claim, check }) =>
            h(
              "li",
              { class: `flag-item ${check.status}`, "data-testid": "flag-item" },
              h("button", { class: "link", onclick: () => void openEvidence(records, check, textOf) }, `${check.status.toUpperCase()} · ${check.kind}`),
              " ",
              h("span", {}, check.detail),
              h("div", { class: "muted" }, claim.text),
            ),
          ),
        )
      : h("p", { class: "ok" }, "Every claim passed its checks."),
  ];
}

/** Keeps the report of the shown story, and re-checks the working copy while editing. */
export class VerifyController {
  report: VerifyReport | null = null;
  private key = "";
  private pending = false;
  private timer: number | undefined;
  private lastDoc = "";
  private panelEl: HTMLElement | null = null;
  private records: StoryRecord[] = [];

  constructor(
    private rerender: () => void,
    private textOf: TextLoader,
  ) {}

  private async run(key: string, call: () => Promise<VerifyReport>, full: boolean) {
    this.pending = true;
    try {
      const r = await call();
      if (key !== this.key) return;
      this.report = r;
    } catch (e) {
      console.warn(`verify: ${errorMessage(e)}`);
    } finally {
      this.pending = false;
    }
    // While editing, only the panel changes: a full render would disturb typing.
    if (full) this.rerender();
    else this.refreshPanel();
  }

  private refreshPanel() {
    if (this.panelEl) clear(this.panelEl, panelBody(this.report, this.records, this.pending, this.textOf));
  }

  private schedule(storyId: number, doc: StoryDocument) {
    const json = JSON.stringify(doc);
    if (json === this.lastDoc) return;
    this.lastDoc = json;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      const copy = JSON.parse(json) as StoryDocument;
      void this.run(this.key, () => backend.verifyDocument(storyId, copy), false);
    }, DEBOUNCE_MS);
  }

  /**
   * Called after every render: fetches the report for a new story or revision,
   * decorates the story, adds the flags panel and holds back sign-off.
   */
  attach(root: HTMLElement, view: StoryView | null, editing: StoryDocument | null, onOverride: (failures: string[]) => void) {
    const draft = view?.draft;
    if (!view || !draft) return;
    this.records = view.records;
    const key = `${view.story.id}:${draft.revision}:${editing ? "edit" : "read"}`;
    if (key !== this.key) {
      this.key = key;
      this.lastDoc = "";
      // Asked once the story is painted: the check is CPU work in the backend
      // and would otherwise compete with the first paint of a big story.
      if (!editing) requestAnimationFrame(() => requestAnimationFrame(() => {
        if (key === this.key) void this.run(key, () => backend.verifyStory(view.story.id, draft.revision), true);
      }));
    }
    const pane = root.querySelector(".story-pane");
    if (!pane) return;
    if (editing) {
      this.schedule(view.story.id, editing);
      pane.addEventListener("input", () => this.schedule(view.story.id, editing));
    } else if (this.report && this.report.revision === draft.revision) {
      const doc = pane.querySelector(".story-doc");
      if (doc) decorate(doc, this.report, view.records, this.textOf);
    }
    this.panelEl = h("section", { class: "verify-panel", "aria-label": "Verification", "data-testid": "verify-panel" });
    pane.appendChild(h("div", { class: "verify-wrap" }, h("h2", {}, "Verification"), this.panelEl));
    this.refreshPanel();
    const signoff = pane.querySelector<HTMLButtonElement>('[data-testid="signoff"]');
    const failures = this.report && this.report.revision === draft.revision && !editing ? hardFailures(this.report) : [];
    if (signoff && failures.length) {
      signoff.disabled = true;
      signoff.title = `Sign-off is held back by ${failures.length} failed check(s):\n${failures.join("\n")}`;
      signoff.after(
        h("button", { class: "btn danger", "data-testid": "signoff-override", title: signoff.title, onclick: () => onOverride(failures) }, "Override with reason…"),
        h("span", { class: "warn", "data-testid": "signoff-blocked" }, `${failures.length} failed check(s) block sign-off`),
      );
    }
  }
}
