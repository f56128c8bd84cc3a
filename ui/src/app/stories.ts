// The story list and the open story: beats, search, selection, reloading the view.
import { backend, errorMessage } from "../backend";
import type { StoryQuery } from "../bindings/StoryQuery";
import type { StoryView } from "../bindings/StoryView";
import { act, render, state } from "./state";
import { leaveEdit, stopEditing } from "./editing";

export async function loadBeats() {
  state.beats = (await act(() => backend.listBeats())) ?? [];
  if (state.beats.length && !state.beats.some((b) => b.id === state.beatId)) await selectBeat(state.beats[0].id);
  render();
}

export async function selectBeat(id: number) {
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

export async function refreshStories() {
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

export let queryTimer: number | undefined;
export function setQuery(q: StoryQuery) {
  state.query = q;
  state.listLimit = 200;
  window.clearTimeout(queryTimer);
  queryTimer = window.setTimeout(async () => {
    await refreshStories();
    render();
  }, 150);
  render();
}

/** Source cards drawn at first, and added each time the panel nears its end. */
export const SOURCE_PAGE = 30;

export async function selectStory(id: number, focusList = false) {
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
  const t0 = performance.now();
  render();
  const t1 = performance.now();
  let t2 = t1;
  try {
    // One paint with everything: the story and any unsaved edit of it.
    const [v, buffer] = await Promise.all([backend.getStory(id), backend.editBuffer(id).catch(() => null)]);
    t2 = performance.now();
    if (state.storyId === id) {
      state.view = v;
      state.buffer = buffer;
      // A story with many sources paints the cards that fit and a few more; the
      // panel draws the rest as it is scrolled (every render stays small).
      state.sourceLimit = SOURCE_PAGE;
      resetCompare();
      if (state.tab === "history") void loadAudit();
    }
  } catch (e) {
    state.message = { kind: "error", text: errorMessage(e) };
  } finally {
    state.busy = false;
  }
  render();
  const t3 = performance.now();
  // Where an open's time goes (ms), for tests/e2e/bench-window.mjs: the busy
  // render, the IPC answer, the story's render, then until the next frame.
  requestAnimationFrame(() => {
    const w = window as unknown as { __opens?: number[][] };
    w.__opens = [...(w.__opens ?? []).slice(-19), [t1 - t0, t2 - t1, t3 - t2, performance.now() - t3]];
  });
  // The pane is kept across stories: a new story starts at its top.
  document.querySelector(".story-pane")?.scrollTo(0, 0);
  document.querySelector(".panel-body")?.scrollTo(0, 0);
  if (focusList) document.querySelector<HTMLElement>(`[data-story-id="${id}"]`)?.focus();
}

export function resetCompare() {
  const revs = state.view?.history.map((d) => d.revision) ?? [];
  state.compare = { from: revs[1] ?? revs[0] ?? 1, to: revs[0] ?? 1 };
}

export async function loadAudit() {
  if (state.storyId === null) return;
  const id = state.storyId;
  const log = await backend.storyAudit(id).catch(() => null);
  if (state.storyId === id) {
    state.audit = log;
    render();
  }
}

export async function setView(v: StoryView | undefined, ok?: string) {
  if (!v) return;
  state.view = v;
  resetCompare();
  await refreshStories();
  if (ok) state.message = { kind: "ok", text: ok };
  if (state.tab === "history") await loadAudit();
  render();
}

export function moveStory(by: number) {
  if (!state.stories.length) return;
  const i = state.stories.findIndex((s) => s.id === state.storyId);
  const at = Math.min(state.stories.length - 1, Math.max(0, i < 0 ? 0 : i + by));
  if (at >= state.listLimit) state.listLimit += 200;
  const next = state.stories[at];
  if (next && next.id !== state.storyId) void selectStory(next.id, true);
}
