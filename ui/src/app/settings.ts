// Settings dialogs: model writers and accounts, export targets.
import { backend, errorMessage } from "../backend";
import { act, editorName, render, say, state } from "./state";
import { writersDialog } from "../views/writers";
import { targetsDialog } from "../views/targets";
import { setView } from "./stories";


/** Settings → export targets, and the preview-then-send export of the open story. */
export async function openTargets() {
  const v = state.view;
  const editor = async () => (await editorName()) ?? "editor";
  await targetsDialog(
    {
      list: () => backend.listTargets(),
      add: async (t) => backend.addTarget(t, await editor()),
      remove: async (name) => backend.removeTarget(name, await editor()),
      check: (name) => backend.checkTarget(name),
      plan: (target, status, tags) => backend.planExport(v!.story.id, target, status, tags),
      send: async (target, status, tags) => backend.exportToTarget(v!.story.id, target, status, tags, await editor()),
      history: () => (v ? backend.listTargetExports(v.story.id) : Promise.resolve([])),
      message: errorMessage,
    },
    v ? { id: v.story.id, title: v.story.title } : null,
  );
  if (v) await setView(await act(() => backend.getStory(v.story.id)));
}

export async function openWriters() {
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
