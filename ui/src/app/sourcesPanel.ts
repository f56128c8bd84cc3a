// The right panel's handlers: sources (include, move, split, read), FAQ, history.
import { backend, errorMessage } from "../backend";
import type { StoryView } from "../bindings/StoryView";
import { act, clone, editorName, render, state } from "./state";
import { askChoice, askPick } from "../views/dialog";
import { panel } from "../views/panel";
import { addSourceDialog } from "../views/sources";
import { SOURCE_PAGE, setView, loadAudit } from "./stories";
import { regenerate } from "./drafting";
import { knownText, wantText } from "./texts";
import { dragEnd, dragStart, moveRecordTo } from "./drag";

/** The sources / FAQ / history panel of the open story `v`. */
export function panelView(v: StoryView) {
  return panel({
    view: v,
    tab: state.tab,
    faq: state.faq,
    highlight: state.highlight,
    evidence: state.evidence,
    reading: state.reading,
    sort: state.sourceSort,
    others: state.stories.filter((s) => s.id !== v.story.id).map((s) => ({ id: s.id, title: s.title })),
    selected: state.selected,
    onSelect: (recordId) => {
      if (state.selected.has(recordId)) state.selected.delete(recordId);
      else state.selected.add(recordId);
      render();
    },
    sourceLimit: state.sourceLimit,
    onMoreSources: () => {
      if (state.sourceLimit >= v.records.length) return;
      state.sourceLimit += SOURCE_PAGE;
      render();
    },
    onMove: async (recordId) => {
      const sr = v.records.find((r) => r.record.id === recordId);
      const to = await askPick(
        `Move source [${sr?.label}] to another story`,
        `“${sr?.record.title ?? ""}” leaves this story. The move is kept when the beat is analysed again.`,
        state.stories.filter((s) => s.id !== v.story.id).map((s) => ({ value: s.id, label: `${s.title} · ${s.record_count} rec` })),
        "Move here",
        "move",
      );
      if (to === null) return render();
      await moveRecordTo(v.story.id, recordId, to);
    },
    onDragStart: (recordId, e) => dragStart(v.story.id, recordId, e),
    onDragEnd: dragEnd,
    onSplit: async () => {
      const name = await editorName();
      if (!name) return;
      const ids = [...state.selected];
      const nv = await act(() => backend.splitRecords(v.story.id, ids, name));
      if (nv) {
        state.selected = new Set();
        state.storyId = nv.story.id;
        await setView(nv, `${ids.length} records split out into a new story.`);
      }
    },
    openError: state.openError,
    busy: state.busy,
    history: {
      view: v,
      audit: state.audit,
      compare: state.compare,
      busy: state.busy,
      onOpen: async (revision) => {
        const d = await act(() => backend.getRevision(v.story.id, revision));
        if (d) {
          state.revision = d;
          state.diff = null;
          render();
        }
      },
      onCompare: async (from, to) => {
        const d = await act(() => backend.compareRevisions(v.story.id, from, to));
        if (d) {
          state.diff = d;
          state.revision = null;
          render();
        }
      },
      onCompareChange: (from, to) => {
        state.compare = { from, to };
        render();
      },
    },
    onTab: (t) => {
      state.tab = t;
      if (t === "history") void loadAudit();
      render();
    },
    onToggle: async (recordId, included) => {
      const name = await editorName();
      if (!name) return render();
      const sr = v.records.find((r) => r.record.id === recordId);
      const nv = await act(() => backend.setRecordIncluded(v.story.id, recordId, included, sr?.weight ?? 1, name));
      await setView(nv, included ? `Source [${sr?.label}] included.` : `Source [${sr?.label}] excluded: writers will not see it.`);
    },
    onOpen: (recordId, url) => {
      state.openError = null;
      if (!/^https?:\/\//i.test(url)) {
        state.openError = { recordId, text: "This source has no web address to open." };
        return render();
      }
      backend.openExternal(url).catch((e) => {
        state.openError = { recordId, text: `No browser opened it (${errorMessage(e)}). Its text is under Read; the address is ${url}` };
        render();
      });
    },
    textOf: knownText,
    onRead: (recordId) => {
      if (state.reading.has(recordId) || state.highlight === recordId) {
        state.reading.delete(recordId);
        if (state.highlight === recordId) state.highlight = null;
      } else {
        state.reading.add(recordId);
        wantText(v.story.id, v.records.find((r) => r.record.id === recordId));
      }
      render();
    },
    onSort: (s) => {
      state.sourceSort = s;
      render();
    },
    onRemoveSource: async (recordId) => {
      const name = await editorName();
      if (!name) return;
      const sr = v.records.find((r) => r.record.id === recordId);
      const go = await askChoice("Remove this source?", `“${sr?.record.title ?? ""}” leaves this story. Its number [${sr?.label}] is never reused.`, [
        { label: "Cancel", value: false, testid: "remove-source-cancel", primary: true },
        { label: "Remove", value: true, testid: "remove-source-confirm", danger: true },
      ]);
      if (go) await setView(await act(() => backend.removeManualSource(v.story.id, recordId, name)), "Source removed from the story.");
    },
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
      await addSourceDialog(async (input, note, attribution) => {
        try {
          const nv = await backend.addAttributedSource(v.story.id, input, note, attribution, name);
          const fresh = nv.records.reduce((a, r) => (r.label > (a?.label ?? 0) ? r : a), nv.records[0]);
          await setView(nv, `Source [${fresh?.label}] added. Redraft to use it, or cite it in an edit.`);
          return null;
        } catch (e) {
          return errorMessage(e);
        }
      });
    },
  })
}
