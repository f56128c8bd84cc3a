// The story pane's handlers: editing, workflow, citations, history views.
import { backend } from "../backend";
import type { StoryView } from "../bindings/StoryView";
import { act, clone, editorName, render, say, state } from "./state";
import { askPick, askText } from "../views/dialog";
import { storyPane } from "../views/story";
import { dirty, flushKeep, save, scheduleKeep, startEditing, stopEditing, validate } from "./editing";
import { setView } from "./stories";
import { wantText } from "./texts";
import { draft, exportStory, regenerate, signOff, stillCited } from "./drafting";

/** The story pane of the open story `v`. */
export function storyView(v: StoryView) {
  return storyPane({
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
      wantText(v.story.id, v.records.find((r) => r.record.id === id));
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
        say("error", `These edits started on revision ${b.base_revision}; the story is now at revision ${v.draft.revision}. Saving will ask whether to keep yours or theirs; both stay in History.`);
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
}
