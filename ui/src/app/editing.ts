// Editing a story: the unsaved-edit buffer, leaving an edit, validation and save.
import { backend, errorCode, errorMessage } from "../backend";
import type { StoryDocument } from "../bindings/StoryDocument";
import { clone, editorName, render, say, state } from "./state";
import { askChoice } from "../views/dialog";
import { setView } from "./stories";
import { resolveConflict } from "./conflict";

/** The edit differs from the revision it started from. */
export function dirty(): boolean {
  if (!state.editing || !state.view?.draft) return false;
  return JSON.stringify(state.editing) !== JSON.stringify(state.view.draft.document);
}

export let keepTimer: number | undefined;
/** Typing never waits on the backend: the buffer is written a moment after the last key. */
export function scheduleKeep() {
  window.clearTimeout(keepTimer);
  const storyId = state.storyId;
  const base = state.editBase;
  keepTimer = window.setTimeout(() => {
    if (state.editing && storyId !== null && base !== null && storyId === state.storyId) {
      void backend.keepEdit(storyId, base, state.editing).catch((e) => say("error", `Could not keep the unsaved edit: ${errorMessage(e)}`));
    }
  }, 600);
}

export async function flushKeep() {
  window.clearTimeout(keepTimer);
  if (state.editing && state.storyId !== null && state.editBase !== null && dirty()) {
    await backend.keepEdit(state.storyId, state.editBase, state.editing).catch(() => {});
  }
}

/** Asks before leaving an edit; true when it is fine to go on. */
export async function leaveEdit(): Promise<boolean> {
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

export function stopEditing() {
  window.clearTimeout(keepTimer);
  state.editing = null;
  state.editBase = null;
  state.faq = null;
  state.errors = {};
}

export function startEditing(doc: StoryDocument, base: number) {
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
export function fieldOf(message: string): string | null {
  const m = /^edit: ([a-z ]+):/.exec(message);
  if (!m) return null;
  return m[1] === "headline" ? "headline" : m[1] === "citations" ? "citations" : null;
}

export function validate(doc: StoryDocument): Record<string, string> {
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

export async function save(): Promise<boolean> {
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
    if (errorCode(e) === "stale_revision") return await afterConflict(v.story.id, edit.base_revision);
    const msg = errorMessage(e);
    const field = fieldOf(msg);
    if (field) state.errors = { [field]: msg.replace(/^edit: [a-z ]+: /, "") };
    else state.message = { kind: "error", text: msg };
    render();
    return false;
  }
}

/** Someone else saved first: ask, then save on top of theirs or set this edit aside. */
async function afterConflict(storyId: number, base: number): Promise<boolean> {
  // The text is in the buffer before anything else happens.
  await flushKeep();
  const editing = state.editing;
  const answer = await resolveConflict(storyId, base);
  if (typeof answer === "number") {
    state.editBase = answer;
    return await save();
  }
  if (answer === "theirs" && editing && state.storyId === storyId) {
    stopEditing();
    state.buffer = { story_id: storyId, base_revision: base, document: clone(editing), saved_at: new Date().toISOString() };
    state.message = { kind: "ok", text: "Kept their revision. Your edits are set aside above the story." };
  }
  render();
  return false;
}
