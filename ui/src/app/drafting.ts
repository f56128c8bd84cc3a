// Drafting, regenerating, sign-off and file export of the open story.
import { backend, errorMessage } from "../backend";
import type { DraftProgress } from "../bindings/DraftProgress";
import type { StoryView } from "../bindings/StoryView";
import { act, editorName, render, say, state } from "./state";
import { askChoice, askText } from "../views/dialog";
import { setView } from "./stories";

/** Streams a model call into the streaming box; returns the new view or shows the error. */
export async function streamed(call: (onProgress: (p: DraftProgress) => void) => Promise<StoryView>, ok: string) {
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

export async function regenerate(storyId: number, section: number | null) {
  const what = section === null ? "FAQ" : `section ${section + 1}`;
  if (state.writer === "offline") {
    // The offline writer is quick and has nothing to stream.
    await setView(await act(() => backend.regenerate(storyId, "offline", section, () => {})), `Regenerated the ${what}.`);
    return;
  }
  await streamed((cb) => backend.regenerate(storyId, state.writer, section, cb), `Regenerated the ${what} with ${state.writer}.`);
}

export async function draft(storyId: number) {
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
export function stillCited(v: StoryView): { recordId: number; label: number; count: number } | null {
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


export async function signOff() {
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

export async function exportStory(format: "markdown" | "html") {
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

/** Sign-off over hard failures: the editor's reason goes to the audit log and the export. */
export async function overrideSignOff(failures: string[]) {
  const v = state.view;
  const name = await editorName();
  if (!v?.draft || !name) return;
  const reason = await askText({ title: `Override ${failures.length} failed check(s)`, label: failures.join("\n") + "\n\nWhy sign off anyway?", confirm: "Sign off with override", testid: "override-reason" });
  if (!reason) return;
  await setView(await act(() => backend.signOff(v.story.id, name, null, v.draft!.revision, reason)), `Signed off by ${name} with an override.`);
}
