import "./style.css";
import { backend, errorMessage } from "./backend";
import type { AppSettings } from "./bindings/AppSettings";
import type { Beat } from "./bindings/Beat";
import type { BeatUsage } from "./bindings/BeatUsage";
import type { DraftProgress } from "./bindings/DraftProgress";
import type { ModelInfo } from "./bindings/ModelInfo";
import type { FaqItem } from "./bindings/FaqItem";
import type { StoryDocument } from "./bindings/StoryDocument";
import type { StorySummary } from "./bindings/StorySummary";
import type { StoryView } from "./bindings/StoryView";
import { clear, h } from "./dom";
import { askText } from "./views/dialog";
import { panel, type Tab } from "./views/panel";
import { sidebar } from "./views/sidebar";
import { storyPane } from "./views/story";
import { writersDialog } from "./views/writers";
import { addSourceDialog, sourcesDialog } from "./views/sources";
import { VerifyController } from "./views/verify";

interface State {
  settings: AppSettings | null;
  beats: Beat[];
  beatId: number | null;
  stories: StorySummary[];
  storyId: number | null;
  view: StoryView | null;
  editing: StoryDocument | null;
  faq: FaqItem[] | null;
  tab: Tab;
  highlight: number | null;
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
  view: null,
  editing: null,
  faq: null,
  tab: "sources",
  highlight: null,
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

async function loadBeats() {
  state.beats = (await act(() => backend.listBeats())) ?? [];
  if (state.beats.length && !state.beats.some((b) => b.id === state.beatId)) await selectBeat(state.beats[0].id);
  render();
}

async function selectBeat(id: number) {
  state.beatId = id;
  state.stories = (await act(() => backend.listStories(id))) ?? [];
  state.usage = (await act(() => backend.beatUsage(id))) ?? null;
  const drafted = state.stories.find((s) => s.status !== "candidate") ?? state.stories[0];
  if (drafted) await selectStory(drafted.id);
  else render();
}

async function refreshStories() {
  if (state.beatId === null) return;
  state.stories = (await act(() => backend.listStories(state.beatId!))) ?? state.stories;
  state.usage = (await act(() => backend.beatUsage(state.beatId!))) ?? state.usage;
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
  if (state.writer === "offline") {
    await setView(await act(() => backend.draftStory(storyId)), "New offline draft written.");
    return;
  }
  await streamed((cb) => backend.draftWithModel(storyId, state.writer, cb), `Drafted by ${state.writer}.`);
}

async function selectStory(id: number) {
  state.storyId = id;
  state.editing = null;
  state.faq = null;
  state.highlight = null;
  state.message = null;
  const v = await act(() => backend.getStory(id));
  if (v) state.view = v;
  render();
}

async function setView(v: StoryView | undefined, ok?: string) {
  if (!v) return;
  state.view = v;
  await refreshStories();
  if (ok) state.message = { kind: "ok", text: ok };
  render();
}

function main() {
  if (!state.settings) return h("div", { class: "loading" }, "Opening Beatdesk…");
  if (!state.beats.length) return welcome();
  const v = state.view;
  return h(
    "div",
    { class: "desk" },
    sidebar({
      beats: state.beats,
      beatId: state.beatId,
      stories: state.stories,
      storyId: state.storyId,
      usage: state.usage,
      onSources: () => void openSources(),
      onBeat: (id) => void selectBeat(id),
      onStory: (id) => void selectStory(id),
    }),
    v
      ? storyPane({
          view: v,
          editing: state.editing,
          busy: state.busy,
          writers: ["offline", ...state.models.map((m) => m.name)],
          writer: state.writer,
          streaming: state.streaming,
          onWriter: (w) => {
            state.writer = w;
          },
          onCancelDraft: () => void backend.cancelDraft(v.story.id),
          onRegenerate: (i) => void regenerate(v.story.id, i),
          onEdit: () => {
            state.editing = clone(v.draft!.document);
            render();
          },
          onCancel: () => {
            state.editing = null;
            render();
          },
          onSave: async () => {
            const name = await editorName();
            if (!name || !state.editing || !v.draft) return;
            const edit = { document: state.editing, base_revision: v.draft.revision, editor: name };
            const nv = await act(() => backend.saveDocument(v.story.id, edit));
            if (nv) {
              state.editing = null;
              await setView(nv, `Saved as revision ${nv.draft?.revision}.`);
            }
          },
          onDraft: () => void draft(v.story.id),
          onSignOff: async () => {
            const name = await editorName();
            if (!name) return;
            const note = await askText({
              title: `Sign off revision ${v.draft?.revision}`,
              label: `Signing as ${name}. Optional note for the record:`,
              confirm: "Sign off",
              testid: "signoff-note",
              optional: true,
            });
            if (note === null) return;
            await setView(await act(() => backend.signOff(v.story.id, name, note || null, v.draft?.revision ?? 0)), `Signed off by ${name}.`);
          },
          onExport: async (format) => {
            const name = (await editorName()) ?? "editor";
            const r = await act(() => backend.exportStory(v.story.id, format, name));
            if (r) {
              await setView(await act(() => backend.getStory(v.story.id)), `Exported to ${r.path}`);
            }
          },
          onCite: (id) => {
            state.tab = "sources";
            state.highlight = id;
            render();
            document.getElementById(`record-${id}`)?.scrollIntoView({ block: "center", behavior: "smooth" });
          },
        })
      : h("main", { class: "story-pane empty" }, h("p", {}, "Pick a story on the left.")),
    v
      ? panel({
          view: v,
          tab: state.tab,
          faq: state.faq,
          highlight: state.highlight,
          busy: state.busy,
          onTab: (t) => {
            state.tab = t;
            render();
          },
          onToggle: async (recordId, included) => {
            const name = await editorName();
            if (!name) return render();
            const sr = v.records.find((r) => r.record.id === recordId);
            await setView(
              await act(() => backend.setRecordIncluded(v.story.id, recordId, included, sr?.weight ?? 1, name)),
              included ? "Source included." : "Source excluded: writers will not see it.",
            );
          },
          onOpen: (url) => void backend.openExternal(url).catch((e) => say("error", errorMessage(e))),
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
            await addSourceDialog(async (input, note) => {
              try {
                const nv = await backend.addSource(v.story.id, input, note, name);
                await setView(nv, "Source added to the story.");
                return null;
              } catch (e) {
                return errorMessage(e);
              }
            });
          },
        })
      : h("aside", { class: "panel" }),
  );
}

function welcome() {
  return h(
    "div",
    { class: "welcome" },
    h("h1", {}, "Welcome to Beatdesk"),
    h("p", {}, "Beatdesk follows beats: it ingests posts and articles, groups them into stories, ranks them by signal and drafts cited stories for an editor to check, edit and sign off."),
    h("p", {}, "Start with the offline demo beat “Open Source AI”: about fifty fictional records from Reddit, Bluesky, news sites and web pages. No network and no API keys needed."),
    h("button", { class: "btn primary big", "data-testid": "load-demo", disabled: state.busy, onclick: async () => {
      const beats = await act(() => backend.loadDemo());
      if (beats) {
        state.beats = beats;
        await selectBeat(beats[0].id);
      }
    } }, "Load the demo beat"),
    h("p", { class: "muted" }, "Or add your own beat with the command line: beatdesk beat add NAME --config beat.toml"),
  );
}

function render() {
  clear(
    root,
    h(
      "header",
      { class: "topbar" },
      h("div", { class: "brand" }, h("span", { class: "logo" }, "B"), "Beatdesk"),
      state.message ? h("div", { class: `message ${state.message.kind}`, role: state.message.kind === "error" ? "alert" : "status", "data-testid": "message" }, state.message.text) : h("div", { class: "message" }),
      h(
        "div",
        { class: "who" },
        state.busy ? h("span", { class: "spinner", "aria-label": "Working" }) : null,
        h("button", { class: "link", "data-testid": "writers", onclick: () => void openWriters() }, "Settings"),
        state.settings?.editor_name ? `Editor: ${state.settings.editor_name}` : h("button", { class: "link", onclick: () => void editorName().then(() => render()) }, "Set your name"),
      ),
    ),
    main(),
  );
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
  // The background refresh found new records: re-rank what is on screen.
  void backend.onBeatUpdated(async (s) => {
    if (s.beat_id === state.beatId && !state.editing && !state.faq && state.streaming === null) {
      await refreshStories();
      if (s.new_records > 0) say("ok", `${s.new_records} new records.`);
      else render();
    }
  });
}

void start();
