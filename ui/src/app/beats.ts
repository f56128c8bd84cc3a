// Beats: create, rename, remove, the welcome screen and the beat's sources dialog.
import { backend, errorMessage } from "../backend";
import { act, editorName, render, say, state } from "./state";
import { askChoice, askText } from "../views/dialog";
import { h } from "../dom";
import { newBeatDialog } from "../views/beats";
import { sourcesDialog } from "../views/sources";
import { refreshStories, selectBeat } from "./stories";

export async function newBeat() {
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

export async function renameBeat() {
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

export async function removeBeat() {
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

export function welcome() {
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


export async function openSources() {
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
