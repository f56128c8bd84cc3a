import "./style.css";
import { backend, errorMessage } from "./backend";
import type { AppSettings } from "./bindings/AppSettings";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { Beat } from "./bindings/Beat";
import type { BeatUsage } from "./bindings/BeatUsage";
import type { Draft } from "./bindings/Draft";
import type { DraftProgress } from "./bindings/DraftProgress";
import type { EditBuffer } from "./bindings/EditBuffer";
import type { FaqItem } from "./bindings/FaqItem";
import type { ModelInfo } from "./bindings/ModelInfo";
import type { RevisionDiff } from "./bindings/RevisionDiff";
import type { StoryDocument } from "./bindings/StoryDocument";
import type { StoryQuery } from "./bindings/StoryQuery";
import type { StorySummary } from "./bindings/StorySummary";
import type { StoryView } from "./bindings/StoryView";
import { h, patch } from "./dom";
import { newBeatDialog } from "./views/beats";
import { askChoice, askPick, askText } from "./views/dialog";
import { installKeys, shortcutsOverlay } from "./views/keys";
import { panel, type SourceSort, type Tab } from "./views/panel";
import { sidebar } from "./views/sidebar";
import { addSourceDialog, sourcesDialog } from "./views/sources";
import { storyPane } from "./views/story";
import { writersDialog } from "./views/writers";
import { targetsDialog } from "./views/targets";
import { storeDialog } from "./views/store";
import { VerifyController } from "./views/verify";

interface State {
  settings: AppSettings | null;
  beats: Beat[];
  beatId: number | null;
  stories: StorySummary[];
  storyId: number | null;
  query: StoryQuery;
  listLimit: number;
  view: StoryView | null;
  editing: StoryDocument | null;
  /** The revision the edit started from. */
  editBase: number | null;
  errors: Record<string, string>;
  buffer: EditBuffer | null;
  faq: FaqItem[] | null;
  tab: Tab;
  highlight: number | null;
  evidence: string | null;
  reading: Set<number>;
  sourceLimit: number;
  /** Records ticked to split out. */
  selected: Set<number>;
  sourceSort: SourceSort;
  openError: { recordId: number; text: string } | null;
  revision: Draft | null;
  diff: RevisionDiff | null;
  diffMode: "inline" | "side";
  compare: { from: number; to: number };
  audit: AuditEntry[] | null;
  busy: boolean;
  models: ModelInfo[];
  writer: string;
  /** The model's text so far while a model drafts; null otherwise. */
  streaming: string | null;
  usage: BeatUsage | null;
  message: { kind: "ok" | "error"; text: string } | null;
}

const state: State = {
  settings: null,
  beats: [],
  beatId: null,
  stories: [],
  storyId: null,
  query: { text: "", status: null, platform: null, sort: "signal" },
  listLimit: 200,
  view: null,
  editing: null,
  editBase: null,
  errors: {},
  buffer: null,
  faq: null,
  tab: "sources",
  highlight: null,
  evidence: null,
  reading: new Set(),
  sourceLimit: Infinity,
  selected: new Set(),
  sourceSort: "label",
  openError: null,
  revision: null,
  diff: null,
  diffMode: "inline",
  compare: { from: 1, to: 1 },
  audit: null,
  busy: false,
  models: [],
  writer: "offline",
  streaming: null,
  usage: null,
  message: null,
};

const root = document.getElementById("app")!;
const verify = new VerifyController(() => render());

function say(kind: "ok" | "error", text: string) {
  state.message = { kind, text };
  render();
}

/** Runs a backend call with the UI marked busy; errors are shown, never thrown away. */
async function act<T>(f: () => Promise<T>): Promise<T | undefined> {
  state.busy = true;
  render();
  try {
    return await f();
  } catch (e) {
    state.message = { kind: "error", text: errorMessage(e) };
    return undefined;
  } finally {
    state.busy = false;
    render();
  }
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function editorName(): Promise<string | null> {
  if (state.settings?.editor_name) return state.settings.editor_name;
  const name = await askText({
    title: "Your name",
    label: "Sign-offs and edits are recorded under this name. You are asked once; it is kept in settings.",
    confirm: "Save name",
    testid: "editor-name",
  });
  if (!name) return null;
  const s = await act(() => backend.setEditorName(name));
  if (s) state.settings = s;
  return s?.editor_name ?? null;
}

// ----- unsaved edits -----

/** The edit differs from the revision it started from. */
function dirty(): boolean {
  if (!state.editing || !state.view?.draft) return false;
  return JSON.stringify(state.editing) !== JSON.stringify(state.view.draft.document);
}

let keepTimer: number | undefined;
/** Typing never waits on the backend: the buffer is written a moment after the last key. */
function scheduleKeep() {
  window.clearTimeout(keepTimer);
  const storyId = state.storyId;
  const base = state.editBase;
  keepTimer = window.setTimeout(() => {
    if (state.editing && storyId !== null && base !== null && storyId === state.storyId) {
      void backend.keepEdit(storyId, base, state.editing).catch((e) => say("error", `Could not keep the unsaved edit: ${errorMessage(e)}`));
    }
  }, 600);
}

async function flushKeep() {
  window.clearTimeout(keepTimer);
  if (state.editing && state.storyId !== null && state.editBase !== null && dirty()) {
    await backend.keepEdit(state.storyId, state.editBase, state.editing).catch(() => {});
  }
}

/** Asks before leaving an edit; true when it is fine to go on. */
async function leaveEdit(): Promise<boolean> {
  if (!state.editing && !state.faq) return true;
  if (!state.editing) {
    const drop = await askChoice("Unsaved FAQ edits", "The FAQ you are editing is not saved.", [
      { label: "Keep editing", value: false, testid: "leave-stay", primary: true },
      { label: "Discard", value: true, testid: "leave-discard", danger: true },
    ]);
    if (drop) stopEditing();
    return Boolean(drop);
  }
  if (!dirty()) {
    stopEditing();
    return true;
  }
  const choice = await askChoice("Unsaved edits", "You have edits that are not saved as a revision. What should happen to them?", [
    { label: "Keep editing", value: "stay", testid: "leave-stay", primary: true },
    { label: "Save them", value: "save", testid: "leave-save" },
    { label: "Set aside (offered back when you return)", value: "keep", testid: "leave-keep" },
    { label: "Discard", value: "discard", testid: "leave-discard", danger: true },
  ]);
  if (choice === "save") return await save();
  if (choice === "keep") {
    await flushKeep();
    stopEditing();
    return true;
  }
  if (choice === "discard") {
    if (state.storyId !== null) await backend.discardEdit(state.storyId).catch(() => {});
    stopEditing();
    return true;
  }
  return false;
}

function stopEditing() {
  window.clearTimeout(keepTimer);
  state.editing = null;
  state.editBase = null;
  state.faq = null;
  state.errors = {};
}

function startEditing(doc: StoryDocument, base: number) {
  state.editing = clone(doc);
  state.editBase = base;
  state.errors = {};
  state.revision = null;
  state.diff = null;
  state.buffer = null;
  render();
  const el = document.querySelector<HTMLInputElement>('[data-testid="edit-headline"]');
  el?.focus();
  el?.select();
}

/** Where a core error belongs: "edit: headline: is empty" goes beside the headline. */
function fieldOf(message: string): string | null {
  const m = /^edit: ([a-z ]+):/.exec(message);
  if (!m) return null;
  return m[1] === "headline" ? "headline" : m[1] === "citations" ? "citations" : null;
}

function validate(doc: StoryDocument): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!doc.headline.trim()) errors.headline = "A headline is required.";
  doc.sections.forEach((s, i) => {
    if (!s.heading.trim()) errors[`section-${i}`] = "This section needs a heading (or remove it).";
    s.paragraphs.forEach((p, j) => {
      if (!p.text.trim()) errors[`section-${i}-${j}`] = "This paragraph is empty: write it or remove it.";
    });
  });
  doc.story_so_far.forEach((p, j) => {
    if (!p.text.trim()) errors[`so-far-${j}`] = "This line is empty: write it or remove it.";
  });
  return errors;
}

async function save(): Promise<boolean> {
  const v = state.view;
  if (!state.editing || !v?.draft || state.editBase === null) return false;
  state.errors = validate(state.editing);
  if (Object.keys(state.errors).length) {
    render();
    document.querySelector<HTMLElement>(".field-error")?.scrollIntoView({ block: "center" });
    return false;
  }
  const name = await editorName();
  if (!name) return false;
  const edit = { document: state.editing, base_revision: state.editBase, editor: name };
  state.busy = true;
  render();
  try {
    const nv = await backend.saveDocument(v.story.id, edit);
    await backend.discardEdit(v.story.id).catch(() => {});
    stopEditing();
    state.busy = false;
    await setView(nv, `Saved as revision ${nv.draft?.revision}.`);
    document.querySelector<HTMLElement>('[data-testid="edit"]')?.focus();
    return true;
  } catch (e) {
    state.busy = false;
    const msg = errorMessage(e);
    const field = fieldOf(msg);
    if (field) state.errors = { [field]: msg.replace(/^edit: [a-z ]+: /, "") };
    else state.message = { kind: "error", text: msg };
    render();
    return false;
  }
}

// ----- beats and stories -----

async function loadBeats() {
  state.beats = (await act(() => backend.listBeats())) ?? [];
  if (state.beats.length && !state.beats.some((b) => b.id === state.beatId)) await selectBeat(state.beats[0].id);
  render();
}

async function selectBeat(id: number) {
  if (!(await leaveEdit())) return render();
  state.beatId = id;
  state.query = { text: "", status: null, platform: null, sort: "signal" };
  state.view = null;
  state.storyId = null;
  await refreshStories();
  const drafted = state.stories.find((s) => s.status !== "candidate") ?? state.stories[0];
  if (drafted) await selectStory(drafted.id);
  else render();
}

async function refreshStories() {
  if (state.beatId === null) return;
  const beatId = state.beatId;
  const q = state.query;
  const list = await backend.searchStories(beatId, q).catch((e) => {
    state.message = { kind: "error", text: errorMessage(e) };
    return null;
  });
  // A slower answer for an older query must not overwrite a newer one.
  if (list && q === state.query && beatId === state.beatId) state.stories = list;
  state.usage = (await backend.beatUsage(beatId).catch(() => null)) ?? state.usage;
}

let queryTimer: number | undefined;
function setQuery(q: StoryQuery) {
  state.query = q;
  state.listLimit = 200;
  window.clearTimeout(queryTimer);
  queryTimer = window.setTimeout(async () => {
    await refreshStories();
    render();
  }, 150);
  render();
}

async function selectStory(id: number, focusList = false) {
  if (state.editing || state.faq) {
    if (id === state.storyId) return;
    if (!(await leaveEdit())) return render();
  }
  state.storyId = id;
  stopEditing();
  state.highlight = null;
  state.evidence = null;
  state.reading = new Set();
  state.selected = new Set();
  state.openError = null;
  state.revision = null;
  state.diff = null;
  state.audit = null;
  state.message = null;
  state.busy = true;
  render();
  try {
    // One paint with everything: the story and any unsaved edit of it.
    const [v, buffer] = await Promise.all([backend.getStory(id), backend.editBuffer(id).catch(() => null)]);
    if (state.storyId === id) {
      state.view = v;
      state.buffer = buffer;
      // A story with many sources paints its first cards now and the rest just after.
      state.sourceLimit = v.records.length > 40 ? 40 : Infinity;
      resetCompare();
      if (state.tab === "history") void loadAudit();
    }
  } catch (e) {
    state.message = { kind: "error", text: errorMessage(e) };
  } finally {
    state.busy = false;
  }
  render();
  if (state.sourceLimit !== Infinity) {
    requestAnimationFrame(() =>
      setTimeout(() => {
        state.sourceLimit = Infinity;
        render();
      }, 0),
    );
  }
  // The pane is kept across stories: a new story starts at its top.
  document.querySelector(".story-pane")?.scrollTo(0, 0);
  document.querySelector(".panel-body")?.scrollTo(0, 0);
  if (focusList) document.querySelector<HTMLElement>(`[data-story-id="${id}"]`)?.focus();
}

function resetCompare() {
  const revs = state.view?.history.map((d) => d.revision) ?? [];
  state.compare = { from: revs[1] ?? revs[0] ?? 1, to: revs[0] ?? 1 };
}

async function loadAudit() {
  if (state.storyId === null) return;
  const id = state.storyId;
  const log = await backend.storyAudit(id).catch(() => null);
  if (state.storyId === id) {
    state.audit = log;
    render();
  }
}

async function setView(v: StoryView | undefined, ok?: string) {
  if (!v) return;
  state.view = v;
  resetCompare();
  await refreshStories();
  if (ok) state.message = { kind: "ok", text: ok };
  if (state.tab === "history") await loadAudit();
  render();
}

function moveStory(by: number) {
  if (!state.stories.length) return;
  const i = state.stories.findIndex((s) => s.id === state.storyId);
  const at = Math.min(state.stories.length - 1, Math.max(0, i < 0 ? 0 : i + by));
  if (at >= state.listLimit) state.listLimit += 200;
  const next = state.stories[at];
  if (next && next.id !== state.storyId) void selectStory(next.id, true);
}

/** Streams a model call into the streaming box; returns the new view or shows the error. */
async function streamed(call: (onProgress: (p: DraftProgress) => void) => Promise<StoryView>, ok: string) {
  state.streaming = "";
  state.busy = true;
  render();
  try {
    const v = await call((p) => {
      if (p.kind === "delta") state.streaming = (state.streaming ?? "") + p.text;
      else if (p.kind === "retrying") state.streaming = `[retrying: ${p.reason}]\n`;
      else if (p.kind === "shrinking") state.streaming = `[shrinking the evidence: ${p.reason}]\n`;
      const pre = document.querySelector('[data-testid="streaming"] pre');
      if (pre) pre.textContent = state.streaming;
    });
    state.streaming = null;
    state.busy = false;
    await setView(v, ok);
  } catch (e) {
    state.streaming = null;
    state.busy = false;
    say("error", errorMessage(e));
  }
}

async function regenerate(storyId: number, section: number | null) {
  const what = section === null ? "FAQ" : `section ${section + 1}`;
  if (state.writer === "offline") {
    // The offline writer is quick and has nothing to stream.
    await setView(await act(() => backend.regenerate(storyId, "offline", section, () => {})), `Regenerated the ${what}.`);
    return;
  }
  await streamed((cb) => backend.regenerate(storyId, state.writer, section, cb), `Regenerated the ${what} with ${state.writer}.`);
}

async function draft(storyId: number) {
  const v = state.view;
  const latest = v?.draft;
  // A redraft writes from the sources alone: say so before an editor's text is replaced.
  if (latest && v.history.some((d) => d.author.kind === "editor")) {
    const by = latest.author.kind === "editor" ? `edited by ${latest.author.name}` : "which follows an editor's revision";
    const go = await askChoice(
      "Redraft from the sources?",
      `A redraft writes a new revision from the sources alone; it does not keep the edits of revision ${latest.revision} (${by}) or earlier edits. Every revision stays in History and can be restored.`,
      [
        { label: "Cancel", value: false, testid: "redraft-cancel", primary: true },
        { label: "Redraft", value: true, testid: "redraft-confirm" },
      ],
    );
    if (!go) return;
  }
  if (state.writer === "offline") {
    await setView(await act(() => backend.draftStory(storyId)), "New offline draft written. The previous text is in History.");
    return;
  }
  await streamed((cb) => backend.draftWithModel(storyId, state.writer, cb), `Drafted by ${state.writer}.`);
}

/** An excluded source the current revision still cites, with how often. */
function stillCited(v: StoryView): { recordId: number; label: number; count: number } | null {
  const d = v.draft;
  if (!d) return null;
  const all = [...d.document.sections.flatMap((s) => s.paragraphs), ...d.document.story_so_far, ...d.document.faq];
  for (const sr of v.records) {
    if (sr.included) continue;
    const count = all.filter((p) => p.citations.includes(sr.record.id)).length;
    if (count) return { recordId: sr.record.id, label: sr.label, count };
  }
  return null;
}

function main() {
  if (!state.settings) return h("div", { class: "loading", "data-key": "loading" }, "Opening Beatdesk…");
  if (!state.beats.length) return welcome();
  const v = state.view;
  return h(
    "div",
    { class: "desk", "data-key": "desk" },
    sidebar({
      beats: state.beats,
      beatId: state.beatId,
      stories: state.stories,
      storyId: state.storyId,
      query: state.query,
      limit: state.listLimit,
      onMore: () => {
        state.listLimit += 200;
        render();
      },
      usage: state.usage,
      onSources: () => void openSources(),
      onBeat: (id) => void selectBeat(id),
      onStory: (id) => void selectStory(id),
      onQuery: setQuery,
      onNewBeat: () => void newBeat(),
      onRenameBeat: () => void renameBeat(),
      onRemoveBeat: () => void removeBeat(),
    }),
    v
      ? storyPane({
          view: v,
          editing: state.editing,
          errors: state.errors,
          busy: state.busy,
          revision: state.revision,
          diff: state.diff,
          diffMode: state.diffMode,
          buffer: state.buffer,
          stillCited: stillCited(v),
          writers: ["offline", ...state.models.map((m) => m.name)],
          writer: state.writer,
          streaming: state.streaming,
          onWriter: (w) => {
            state.writer = w;
          },
          onCancelDraft: () => void backend.cancelDraft(v.story.id),
          onRegenerate: (i) => void regenerate(v.story.id, i),
          onEdit: () => v.draft && startEditing(v.draft.document, v.draft.revision),
          onChange: (structural) => {
            scheduleKeep();
            // Typed text is already in its field: only redraw when something else must change.
            const hadErrors = Object.keys(state.errors).length > 0;
            if (hadErrors && state.editing) state.errors = validate(state.editing);
            if (structural || hadErrors) render();
          },
          onCancel: async () => {
            // Cancel asks nothing and loses nothing: changed text stays offered back above the story.
            if (dirty() && state.editing && state.editBase !== null) {
              await flushKeep();
              state.buffer = { story_id: v.story.id, base_revision: state.editBase, document: clone(state.editing), saved_at: new Date().toISOString() };
            }
            stopEditing();
            state.message = null;
            render();
            document.querySelector<HTMLElement>('[data-testid="edit"]')?.focus();
          },
          onSave: () => void save(),
          onDraft: () => void draft(v.story.id),
          onSignOff: () => void signOff(),
          onSpike: async () => {
            const name = await editorName();
            if (!name) return;
            const reason = await askText({ title: "Spike this story", label: "It leaves the working list until you bring it back. Why? (optional, kept in the log)", confirm: "Spike", testid: "spike-reason", optional: true });
            if (reason === null) return;
            await setView(await act(() => backend.spike(v.story.id, name, reason || null)), "Story spiked. Filter by status “Spiked” to find it again.");
          },
          onUnspike: async () => {
            const name = await editorName();
            if (!name) return;
            await setView(await act(() => backend.unspike(v.story.id, name)), "Story back on the desk.");
          },
          onExport: (format) => void exportStory(format),
          onMerge: async () => {
            const others = state.stories.filter((s) => s.id !== v.story.id);
            const from = await askPick(
              `Merge into “${v.story.title}”`,
              "Pick the story whose records join this one. The decision is kept when the beat is analysed again.",
              others.map((s) => ({ value: s.id, label: `${s.title} · ${s.record_count} rec` })),
              "Merge into this story",
              "merge",
            );
            const name = from !== null ? await editorName() : null;
            if (from === null || !name) return;
            await setView(await act(() => backend.mergeStories(v.story.id, from, name)), "Stories merged.");
          },
          onCite: (id, paragraph) => {
            state.tab = "sources";
            state.highlight = id;
            state.evidence = paragraph;
            render();
            // Only the panel scrolls: the story keeps the reader's place.
            document.getElementById(`record-${id}`)?.scrollIntoView({ block: "nearest", behavior: "smooth" });
          },
          onRestore: async (revision) => {
            const name = await editorName();
            if (!name || !v.draft) return;
            const nv = await act(() => backend.restoreRevision(v.story.id, revision, v.draft!.revision, name));
            if (nv) {
              state.revision = null;
              state.diff = null;
              await setView(nv, `Revision ${revision} restored as revision ${nv.draft?.revision}.`);
            }
          },
          onCloseRevision: () => {
            state.revision = null;
            state.diff = null;
            render();
          },
          onDiffMode: (m) => {
            state.diffMode = m;
            render();
          },
          onBufferRestore: () => {
            const b = state.buffer;
            if (!b) return;
            startEditing(b.document, b.base_revision);
            if (v.draft && b.base_revision !== v.draft.revision) {
              say("error", `These edits started on revision ${b.base_revision}; the story is now at revision ${v.draft.revision}. Saving will be refused: compare in History, then copy what you need.`);
            }
          },
          onBufferDiscard: async () => {
            await backend.discardEdit(v.story.id).catch(() => {});
            state.buffer = null;
            render();
          },
          onUncite: async (recordId) => {
            const name = await editorName();
            if (!name || !v.draft) return;
            await setView(await act(() => backend.removeCitations(v.story.id, recordId, v.draft!.revision, name)), "The excluded source's citations are removed, as a new revision.");
          },
        })
      : h("main", { class: "story-pane empty", "data-key": "pane" }, h("p", {}, state.stories.length ? "Pick a story on the left (↑ ↓ move between stories)." : "")),
    v
      ? panel({
          view: v,
          tab: state.tab,
          faq: state.faq,
          highlight: state.highlight,
          evidence: state.evidence,
          reading: state.reading,
          sort: state.sourceSort,
          others: state.stories.filter((s) => s.id !== v.story.id).map((s) => ({ id: s.id, title: s.title })),
          selected: state.selected,
          onSelect: (recordId) => {
            if (state.selected.has(recordId)) state.selected.delete(recordId);
            else state.selected.add(recordId);
            render();
          },
          sourceLimit: state.sourceLimit,
          onMove: async (recordId) => {
            const sr = v.records.find((r) => r.record.id === recordId);
            const to = await askPick(
              `Move source [${sr?.label}] to another story`,
              `“${sr?.record.title ?? ""}” leaves this story. The move is kept when the beat is analysed again.`,
              state.stories.filter((s) => s.id !== v.story.id).map((s) => ({ value: s.id, label: `${s.title} · ${s.record_count} rec` })),
              "Move here",
              "move",
            );
            const name = to !== null ? await editorName() : null;
            if (to === null || !name) return render();
            const target = state.stories.find((s) => s.id === to);
            await setView(await act(() => backend.moveRecord(v.story.id, recordId, to, name)), `Source [${sr?.label}] moved to “${target?.title ?? to}”. The move is kept when the beat is analysed again.`);
          },
          onSplit: async () => {
            const name = await editorName();
            if (!name) return;
            const ids = [...state.selected];
            const nv = await act(() => backend.splitRecords(v.story.id, ids, name));
            if (nv) {
              state.selected = new Set();
              state.storyId = nv.story.id;
              await setView(nv, `${ids.length} records split out into a new story.`);
            }
          },
          openError: state.openError,
          busy: state.busy,
          history: {
            view: v,
            audit: state.audit,
            compare: state.compare,
            busy: state.busy,
            onOpen: async (revision) => {
              const d = await act(() => backend.getRevision(v.story.id, revision));
              if (d) {
                state.revision = d;
                state.diff = null;
                render();
              }
            },
            onCompare: async (from, to) => {
              const d = await act(() => backend.compareRevisions(v.story.id, from, to));
              if (d) {
                state.diff = d;
                state.revision = null;
                render();
              }
            },
            onCompareChange: (from, to) => {
              state.compare = { from, to };
              render();
            },
          },
          onTab: (t) => {
            state.tab = t;
            if (t === "history") void loadAudit();
            render();
          },
          onToggle: async (recordId, included) => {
            const name = await editorName();
            if (!name) return render();
            const sr = v.records.find((r) => r.record.id === recordId);
            const nv = await act(() => backend.setRecordIncluded(v.story.id, recordId, included, sr?.weight ?? 1, name));
            await setView(nv, included ? `Source [${sr?.label}] included.` : `Source [${sr?.label}] excluded: writers will not see it.`);
          },
          onOpen: (recordId, url) => {
            state.openError = null;
            if (!/^https?:\/\//i.test(url)) {
              state.openError = { recordId, text: "This source has no web address to open." };
              return render();
            }
            backend.openExternal(url).catch((e) => {
              state.openError = { recordId, text: `No browser opened it (${errorMessage(e)}). Its text is under Read; the address is ${url}` };
              render();
            });
          },
          onRead: (recordId) => {
            if (state.reading.has(recordId) || state.highlight === recordId) {
              state.reading.delete(recordId);
              if (state.highlight === recordId) state.highlight = null;
            } else state.reading.add(recordId);
            render();
          },
          onSort: (s) => {
            state.sourceSort = s;
            render();
          },
          onRemoveSource: async (recordId) => {
            const name = await editorName();
            if (!name) return;
            const sr = v.records.find((r) => r.record.id === recordId);
            const go = await askChoice("Remove this source?", `“${sr?.record.title ?? ""}” leaves this story. Its number [${sr?.label}] is never reused.`, [
              { label: "Cancel", value: false, testid: "remove-source-cancel", primary: true },
              { label: "Remove", value: true, testid: "remove-source-confirm", danger: true },
            ]);
            if (go) await setView(await act(() => backend.removeManualSource(v.story.id, recordId, name)), "Source removed from the story.");
          },
          onFaqEdit: () => {
            state.faq = clone(v.draft!.document.faq);
            render();
          },
          onFaqCancel: () => {
            state.faq = null;
            render();
          },
          onFaqSave: async () => {
            const name = await editorName();
            if (!name || !state.faq || !v.draft) return;
            const faq = state.faq.filter((f) => f.q.trim() || f.a.trim());
            const document = { ...clone(v.draft.document), faq };
            const nv = await act(() => backend.saveDocument(v.story.id, { document, base_revision: v.draft!.revision, editor: name }));
            if (nv) {
              state.faq = null;
              await setView(nv, `FAQ saved as revision ${nv.draft?.revision}.`);
            }
          },
          onRerender: () => render(),
          onRegenerateFaq: () => void regenerate(v.story.id, null),
          onAddSource: async () => {
            const name = await editorName();
            if (!name) return;
            await addSourceDialog(async (input, note, attribution) => {
              try {
                const nv = await backend.addAttributedSource(v.story.id, input, note, attribution, name);
                const fresh = nv.records.reduce((a, r) => (r.label > (a?.label ?? 0) ? r : a), nv.records[0]);
                await setView(nv, `Source [${fresh?.label}] added. Redraft to use it, or cite it in an edit.`);
                return null;
              } catch (e) {
                return errorMessage(e);
              }
            });
          },
        })
      : h("aside", { class: "panel", "data-key": "panel" }),
  );
}

async function signOff() {
  const v = state.view;
  if (!v?.draft || state.editing) return;
  const name = await editorName();
  if (!name) return;
  const note = await askText({
    title: `Sign off revision ${v.draft.revision}`,
    label: `Signing as ${name}: you approve the text of revision ${v.draft.revision} as it is now. Optional note (cite sources by their numbers, e.g. “checked [3] and [8]”):`,
    confirm: "Sign off",
    testid: "signoff-note",
    optional: true,
  });
  if (note === null) return;
  const revision = v.draft.revision;
  await setView(await act(() => backend.signOff(v.story.id, name, note || null, revision)), `Signed off revision ${revision} as ${name}.`);
}

async function exportStory(format: "markdown" | "html") {
  const v = state.view;
  if (!v?.draft) return;
  const signed = v.signoffs.some((s) => s.revision === v.draft!.revision);
  if (!signed) {
    const go = await askChoice("Export an unsigned revision?", `Revision ${v.draft.revision} has not been signed off by an editor. The export will say who drafted it and that nobody approved it.`, [
      { label: "Cancel", value: false, testid: "export-cancel", primary: true },
      { label: "Export unsigned", value: true, testid: "export-unsigned" },
    ]);
    if (!go) return;
  }
  const name = (await editorName()) ?? "editor";
  const r = await act(() => backend.exportStory(v.story.id, format, name));
  if (r) await setView(await act(() => backend.getStory(v.story.id)), `Exported to ${r.path}`);
}

async function newBeat() {
  const created = await newBeatDialog(async (name, toml) => {
    try {
      state.beats = await backend.createBeat(name, toml);
      const b = state.beats.find((x) => x.name === name.trim());
      if (b) await selectBeat(b.id);
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  });
  if (created) say("ok", "Beat created. Open Sources and press Fetch now to fill it.");
}

async function renameBeat() {
  const beat = state.beats.find((b) => b.id === state.beatId);
  if (!beat) return;
  const name = await askText({ title: `Rename “${beat.name}”`, label: "The new name:", confirm: "Rename", testid: "rename-beat" });
  if (!name) return;
  const who = (await editorName()) ?? "editor";
  const beats = await act(() => backend.renameBeat(beat.id, name, who));
  if (beats) {
    state.beats = beats;
    say("ok", `Beat renamed to “${name.trim()}”.`);
  }
}

async function removeBeat() {
  const beat = state.beats.find((b) => b.id === state.beatId);
  if (!beat) return;
  const first = await askChoice(`Remove “${beat.name}”?`, `The beat holds ${beat.record_count} records in ${beat.story_count} stories, with their revisions and sign-offs. Nothing is removed until you confirm again.`, [
    { label: "Cancel", value: false, testid: "remove-beat-cancel", primary: true },
    { label: "Continue", value: true, testid: "remove-beat-continue", danger: true },
  ]);
  if (!first) return;
  const typed = await askText({ title: "Confirm removal", label: `Type the beat's name, “${beat.name}”, to remove it and its ${beat.record_count} records for good.`, confirm: "Remove for good", testid: "remove-beat-confirm" });
  if (!typed) return;
  const who = (await editorName()) ?? "editor";
  const beats = await act(() => backend.removeBeat(beat.id, typed, who));
  if (beats) {
    state.beats = beats;
    state.beatId = null;
    state.view = null;
    state.stories = [];
    if (beats.length) await selectBeat(beats[0].id);
    say("ok", `Beat “${beat.name}” removed.`);
  }
}

function welcome() {
  return h(
    "div",
    { class: "welcome", "data-key": "welcome" },
    h("h1", {}, "Welcome to Beatdesk"),
    h("p", {}, "Beatdesk follows beats: it ingests posts and articles, groups them into stories, ranks them by signal and drafts cited stories for an editor to check, edit and sign off."),
    h("p", {}, "Start with the offline demo beat “Open Source AI”: about fifty fictional records from Reddit, Bluesky, news sites and web pages. No network and no API keys needed."),
    h(
      "div",
      { class: "row" },
      h("button", { class: "btn primary big", "data-testid": "load-demo", disabled: state.busy, onclick: async () => {
        const beats = await act(() => backend.loadDemo());
        if (beats) {
          state.beats = beats;
          await selectBeat(beats[0].id);
        }
      } }, "Load the demo beat"),
      h("button", { class: "btn big", "data-testid": "new-beat", onclick: () => void newBeat() }, "Create your own beat"),
    ),
  );
}

function render() {
  const t0 = performance.now();
  const tree = [
    h(
      "header",
      { class: "topbar", "data-key": "topbar" },
      h("div", { class: "brand" }, h("span", { class: "logo" }, "B"), "Beatdesk"),
      state.message
        ? h(
            "div",
            { class: `message ${state.message.kind}`, role: state.message.kind === "error" ? "alert" : "status", "aria-live": "polite", "data-testid": "message" },
            h("span", { class: "message-text" }, state.message.text),
            h("button", { class: "link dismiss", "aria-label": "Dismiss", onclick: () => { state.message = null; render(); } }, "×"),
          )
        : h("div", { class: "message", "aria-live": "polite" }),
      h(
        "div",
        { class: "who" },
        state.busy ? h("span", { class: "spinner", "aria-label": "Working" }) : null,
        h("button", { class: "link", title: "Keyboard shortcuts (?)", "data-testid": "shortcuts-button", onclick: () => void shortcutsOverlay() }, "Keys"),
        h("button", { class: "link", "data-testid": "writers", onclick: () => void openWriters() }, "Settings"),
        h("button", { class: "link", "data-testid": "targets", onclick: () => void openTargets() }, "Export targets"),
        h("button", { class: "link", "data-testid": "store", onclick: () => void storeDialog() }, "Store"),
        state.settings?.editor_name ? `Editor: ${state.settings.editor_name}` : h("button", { class: "link", onclick: () => void editorName().then(() => render()) }, "Set your name"),
      ),
    ),
    main(),
  ];
  const t1 = performance.now();
  patch(root, ...tree);
  // The last renders' cost (build, patch) in ms, for tests/e2e/bench-window.mjs.
  const w = window as unknown as { __renders?: number[][] };
  w.__renders = [...(w.__renders ?? []).slice(-19), [t1 - t0, performance.now() - t1]];
  verify.attach(root, state.view, state.editing, (failures) => void overrideSignOff(failures));
}

/** Sign-off over hard failures: the editor's reason goes to the audit log and the export. */
async function overrideSignOff(failures: string[]) {
  const v = state.view;
  const name = await editorName();
  if (!v?.draft || !name) return;
  const reason = await askText({ title: `Override ${failures.length} failed check(s)`, label: failures.join("\n") + "\n\nWhy sign off anyway?", confirm: "Sign off with override", testid: "override-reason" });
  if (!reason) return;
  await setView(await act(() => backend.signOff(v.story.id, name, null, v.draft!.revision, reason)), `Signed off by ${name} with an override.`);
}

/** Settings → export targets, and the preview-then-send export of the open story. */
async function openTargets() {
  const v = state.view;
  const editor = async () => (await editorName()) ?? "editor";
  await targetsDialog(
    {
      list: () => backend.listTargets(),
      add: async (t) => backend.addTarget(t, await editor()),
      remove: async (name) => backend.removeTarget(name, await editor()),
      check: (name) => backend.checkTarget(name),
      plan: (target, status, tags) => backend.planExport(v!.story.id, target, status, tags),
      send: async (target, status, tags) => backend.exportToTarget(v!.story.id, target, status, tags, await editor()),
      history: () => (v ? backend.listTargetExports(v.story.id) : Promise.resolve([])),
      message: errorMessage,
    },
    v ? { id: v.story.id, title: v.story.title } : null,
  );
  if (v) await setView(await act(() => backend.getStory(v.story.id)));
}

async function openWriters() {
  const offers = (await act(() => backend.detectOllama())) ?? [];
  await writersDialog(state.models, offers, async (m, key) => {
    try {
      state.models = await backend.addModel(m, key);
      state.writer = m.name;
      say("ok", `Writer ${m.name} added.`);
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  }, async (kind, id, secret) => {
    try {
      await backend.setAccount(kind, id, secret);
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  });
  render();
}

async function openSources() {
  const beat = state.beats.find((b) => b.id === state.beatId);
  if (!beat) return;
  const changed = await sourcesDialog({
    beatName: beat.name,
    load: () => backend.listSources(beat.id),
    config: () => backend.getBeatConfig(beat.id),
    saveConfig: (toml) => backend.setBeatConfig(beat.id, toml),
    fetchNow: (cb) => backend.ingestBeat(beat.id, cb),
    watch: async (cb) => backend.onIngestProgress((p) => p.beat_id === beat.id && cb(p)),
  });
  if (changed) {
    state.beats = (await act(() => backend.listBeats())) ?? state.beats;
    await refreshStories();
    render();
  }
}

async function start() {
  render();
  try {
    state.settings = await backend.getSettings();
  } catch (e) {
    state.settings = { editor_name: null, home: "" };
    state.message = { kind: "error", text: errorMessage(e) };
  }
  state.models = (await act(() => backend.listModels())) ?? [];
  await loadBeats();
  installKeys(
    {
      next: () => moveStory(1),
      previous: () => moveStory(-1),
      edit: () => state.view?.draft && state.view.story.status !== "spiked" && startEditing(state.view.draft.document, state.view.draft.revision),
      save: () => void save(),
      cancel: () => document.querySelector<HTMLElement>('[data-testid="cancel-edit"]')?.click(),
      signOff: () => void signOff(),
      toggleSource: () => document.querySelector<HTMLInputElement>(".source.highlight [data-testid=include-toggle]")?.click(),
      search: () => document.querySelector<HTMLInputElement>('[data-testid="story-search"]')?.focus(),
    },
    () => state.editing !== null,
  );
  // A closed window keeps its unsaved edit.
  window.addEventListener("beforeunload", () => void flushKeep());
  // The background refresh found new records: re-rank what is on screen.
  void backend.onBeatUpdated(async (s) => {
    if (s.beat_id === state.beatId && state.streaming === null) {
      await refreshStories();
      if (s.new_records > 0) say("ok", `${s.new_records} new records.`);
      else render();
    }
  });
}

void start();
