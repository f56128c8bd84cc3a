// Two desks edited one story: the save was refused because someone else saved
// a revision first. The editor is told who, may compare, and keeps theirs or
// theirs-then-mine; nothing is lost either way (a kept-aside edit is offered
// back, and every revision stays in History).
import { backend, errorMessage } from "../backend";
import type { StoryView } from "../bindings/StoryView";
import { h, showModal, when } from "../dom";
import { askChoice } from "../views/dialog";
import { diffView } from "../views/history";
import { whoSaved } from "./live";
import { render, state } from "./state";

type Answer = "compare" | "mine" | "theirs" | "stay";

/** What they changed between the editor's base revision and theirs, in a modal. */
async function showTheirChanges(storyId: number, from: number, to: number) {
  const d = await backend.compareRevisions(storyId, from, to).catch((e) => errorMessage(e));
  await new Promise<void>((resolve) => {
    // Only what changed: the paragraphs both revisions share would bury it.
    const body =
      typeof d === "string"
        ? h("p", { class: "field-error" }, d)
        : d.changed
          ? diffView({ ...d, blocks: d.blocks.filter((b) => b.change !== "same") }, "inline")
          : h("p", {}, "The text is the same; only the revision number moved.");
    const dlg = h(
      "dialog",
      { class: "dialog conflict-diff", "data-testid": "conflict-diff" },
      h("h2", {}, `What changed from revision ${from} to ${to}`),
      h("div", { class: "conflict-diff-body" }, body),
      h("div", { class: "row" }, h("button", { class: "btn primary", "data-testid": "conflict-diff-close", onclick: () => done() }, "Back")),
    );
    const close = showModal(dlg, () => done());
    const done = () => {
      close();
      resolve();
    };
  });
}

/**
 * Asks what to do after a stale save. Returns the base revision to save on
 * ("keep mine"), "theirs" when the editor's text was set aside, or null to keep editing.
 */
export async function resolveConflict(storyId: number, base: number): Promise<number | "theirs" | null> {
  const latest: StoryView | null = await backend.getStory(storyId).catch(() => null);
  const theirs = latest?.draft;
  if (!latest || !theirs) return null;
  state.view = latest;
  render();
  for (;;) {
    const answer = await askChoice<Answer>(
      "Someone else saved this story",
      `While you edited revision ${base}, ${whoSaved(theirs)} was saved (${when(theirs.created_at)}). Your text is not saved yet and nothing is lost: compare their changes, then keep yours (saved as a new revision on top of theirs; theirs stays in History) or keep theirs (yours is set aside and offered back above the story).`,
      [
        { label: "Compare their changes", value: "compare", testid: "conflict-compare" },
        { label: "Keep mine", value: "mine", testid: "conflict-mine", primary: true },
        { label: "Keep theirs", value: "theirs", testid: "conflict-theirs" },
        { label: "Keep editing", value: "stay", testid: "conflict-stay" },
      ],
    );
    if (answer === "compare") {
      await showTheirChanges(storyId, base, theirs.revision);
      continue;
    }
    if (answer === "mine") return theirs.revision;
    if (answer === "theirs") return "theirs";
    return null;
  }
}
