// The window's one state object and the helpers every controller uses:
// render (set by main.ts), messages, busy calls, the editor's name.
import { backend, errorMessage } from "../backend";
import type { AppSettings } from "../bindings/AppSettings";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { Beat } from "../bindings/Beat";
import type { BeatUsage } from "../bindings/BeatUsage";
import type { Draft } from "../bindings/Draft";
import type { EditBuffer } from "../bindings/EditBuffer";
import type { FaqItem } from "../bindings/FaqItem";
import type { ModelInfo } from "../bindings/ModelInfo";
import type { RevisionDiff } from "../bindings/RevisionDiff";
import type { StoryDocument } from "../bindings/StoryDocument";
import type { StoryQuery } from "../bindings/StoryQuery";
import type { StorySummary } from "../bindings/StorySummary";
import type { StoryView } from "../bindings/StoryView";
import type { SourceSort, Tab } from "../views/panel";
import { askText } from "../views/dialog";
import { VerifyController } from "../views/verify";
import { loadText } from "./texts";

export interface State {
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

export const state: State = {
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

let renderFn: () => void = () => {};
/** main.ts installs the real render; controllers call this one. */
export function setRender(f: () => void) {
  renderFn = f;
}
export function render() {
  renderFn();
}

export const verify = new VerifyController(
  () => render(),
  (sr) => loadText(state.view?.story.id ?? 0, sr),
);

export function say(kind: "ok" | "error", text: string) {
  state.message = { kind, text };
  render();
}

/** Runs a backend call with the UI marked busy; errors are shown, never thrown away. */
export async function act<T>(f: () => Promise<T>): Promise<T | undefined> {
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

export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export async function editorName(): Promise<string | null> {
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
