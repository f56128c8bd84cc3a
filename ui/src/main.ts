import "./style.css";
import { backend, errorMessage } from "./backend";
import { h, patch } from "./dom";
import { installKeys, shortcutsOverlay } from "./views/keys";
import { sidebar } from "./views/sidebar";
import { act, editorName, render, say, setRender, state, verify } from "./app/state";
import { flushKeep, save, startEditing } from "./app/editing";
import { loadBeats, moveStory, refreshStories, selectBeat, selectStory, setQuery } from "./app/stories";
import { overrideSignOff, signOff } from "./app/drafting";
import { newBeat, openSources, removeBeat, renameBeat, welcome } from "./app/beats";
import { openTargets, openWriters } from "./app/settings";
import { storyView } from "./app/storyPane";
import { panelView } from "./app/sourcesPanel";
import { storeChanged } from "./app/live";
import { canDrop, dropOn } from "./app/drag";
import { storeDialog } from "./views/store";

const root = document.getElementById("app")!;

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
      canDrop,
      onDropRecord: (id) => void dropOn(id),
      onQuery: setQuery,
      onNewBeat: () => void newBeat(),
      onRenameBeat: () => void renameBeat(),
      onRemoveBeat: () => void removeBeat(),
    }),
    v ? storyView(v)
      : h("main", { class: "story-pane empty", "data-key": "pane" }, h("p", {}, state.stories.length ? "Pick a story on the left (↑ ↓ move between stories)." : "")),
    v ? panelView(v)
      : h("aside", { class: "panel", "data-key": "panel" }),
  );
}

function paint() {
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
  const t2 = performance.now();
  verify.attach(root, state.view, state.editing, (failures) => void overrideSignOff(failures));
  // The last renders' cost (build, patch, verification marks) in ms and when they started, for tests/e2e/bench-window.mjs.
  const w = window as unknown as { __renders?: number[][] };
  w.__renders = [...(w.__renders ?? []).slice(-19), [t1 - t0, t2 - t1, performance.now() - t2, t0]];
}

setRender(paint);

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
  // Another process (the CLI, a second window) changed the store.
  void backend.onStoreChanged(() => void storeChanged());
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
