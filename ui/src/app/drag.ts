// Dragging a source card onto a story in the list moves the record there,
// beside the "Move…" picker. The drag's payload is kept here: a dragover
// handler may not read dataTransfer's data, only its types.
import { backend } from "../backend";
import { act, editorName, render, state } from "./state";
import { setView } from "./stories";

export const RECORD_TYPE = "application/x-beatdesk-record";

let dragging: { storyId: number; recordId: number } | null = null;

export function dragStart(storyId: number, recordId: number, e: DragEvent) {
  dragging = { storyId, recordId };
  if (e.dataTransfer) {
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData(RECORD_TYPE, String(recordId));
    // The whole card follows the pointer, not just its handle.
    const card = (e.target as Element).closest("[data-testid=source]");
    if (card) e.dataTransfer.setDragImage(card, 12, 12);
  }
}

export function dragEnd() {
  dragging = null;
}

/** A story accepts the drop if a card of another story is being dragged. */
export const canDrop = (storyId: number) => dragging !== null && dragging.storyId !== storyId && !state.busy;

/** The move itself: the same decision, audit entry and message as the picker. */
export async function moveRecordTo(fromStoryId: number, recordId: number, to: number) {
  const name = await editorName();
  if (!name) return render();
  const sr = state.view?.records.find((r) => r.record.id === recordId);
  const target = state.stories.find((s) => s.id === to);
  await setView(
    await act(() => backend.moveRecord(fromStoryId, recordId, to, name)),
    `Source [${sr?.label ?? recordId}] moved to “${target?.title ?? to}”. The move is kept when the beat is analysed again.`,
  );
}

export async function dropOn(storyId: number) {
  const d = dragging;
  dragging = null;
  if (d && d.storyId !== storyId) await moveRecordTo(d.storyId, d.recordId, storyId);
}
