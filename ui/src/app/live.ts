// Live refresh: another process (the CLI, a second window, another desk on a
// shared store) changed the store. The list and the open story are reloaded;
// an edit in progress is never touched, only told what changed under it.
import { backend } from "../backend";
import type { Draft } from "../bindings/Draft";
import { render, state } from "./state";
import { loadAudit, refreshStories, resetCompare } from "./stories";
import { forgetTexts, wantText } from "./texts";

let running = false;
let again = false;

/** "revision 3 by editor Ben Ortiz" */
export const whoSaved = (d: Draft) => `revision ${d.revision} by ${d.author.kind} ${d.author.name}`;

/** Handles `beatdesk://store-changed`; changes arriving during a reload queue one more. */
export async function storeChanged() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    await reload();
  } finally {
    running = false;
    if (again) {
      again = false;
      void storeChanged();
    }
  }
}

async function reload() {
  forgetTexts();
  // A model streaming into the pane repaints on its own when it ends.
  if (state.streaming !== null) return;
  state.beats = (await backend.listBeats().catch(() => null)) ?? state.beats;
  await refreshStories();
  const id = state.storyId;
  if (id === null) return render();
  const v = await backend.getStory(id).catch(() => null);
  if (!v || state.storyId !== id) return render();
  const before = state.view;
  state.view = v;
  // Cards open for reading fetch their text again (the cache was just dropped).
  for (const r of v.records) if (state.reading.has(r.record.id) || state.highlight === r.record.id) wantText(id, r);
  if (before?.history.length !== v.history.length) resetCompare();
  const editing = state.editing !== null || state.faq !== null;
  const base = state.editBase ?? before?.draft?.revision;
  if (editing && v.draft && base !== undefined && v.draft.revision !== base) {
    // The text being edited stays as typed; saving will ask what to do.
    state.message = { kind: "error", text: `This story changed while you edit: ${whoSaved(v.draft)}. Your edits are kept; saving will ask whether to keep yours or theirs.` };
  }
  if (state.tab === "history") await loadAudit();
  render();
}
