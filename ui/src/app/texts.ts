// Source texts, fetched when a card is opened: the story view leaves them out
// so a story with 200 long articles paints without carrying them over IPC.
import { backend, errorMessage } from "../backend";
import type { StoryRecord } from "../bindings/StoryRecord";
import { render, say } from "./state";

const texts = new Map<number, string>();
const pending = new Set<number>();

/** The record's text if the window has it, else null (ask `wantText`). */
export function knownText(sr: StoryRecord): string | null {
  if (!sr.text_omitted) return sr.record.text;
  return texts.get(sr.record.id) ?? null;
}

/** The text, from the cache or the backend. */
export async function loadText(storyId: number, sr: StoryRecord): Promise<string> {
  const known = knownText(sr);
  if (known !== null) return known;
  const text = await backend.recordText(storyId, sr.record.id);
  texts.set(sr.record.id, text);
  return text;
}

/** Fetches the text in the background and repaints when it arrives. */
export function wantText(storyId: number, sr: StoryRecord | undefined) {
  if (!sr || knownText(sr) !== null || pending.has(sr.record.id)) return;
  pending.add(sr.record.id);
  loadText(storyId, sr)
    .then(() => render())
    .catch((e) => say("error", `Could not read the text of source [${sr.label}]: ${errorMessage(e)}`))
    .finally(() => pending.delete(sr.record.id));
}

/** Another process may have changed records: forget what was fetched. */
export function forgetTexts() {
  texts.clear();
}
