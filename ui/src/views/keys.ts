import { h, showModal } from "../dom";

export interface KeyActions {
  next: () => void;
  previous: () => void;
  edit: () => void;
  save: () => void;
  cancel: () => void;
  signOff: () => void;
  toggleSource: () => void;
  search: () => void;
}

export const SHORTCUTS: [string, string][] = [
  ["↓ or J", "Next story"],
  ["↑ or K", "Previous story"],
  ["E", "Edit the story (the headline gets focus)"],
  ["Ctrl+S", "Save the edit as a new revision"],
  ["Esc", "Cancel the edit, close a dialog"],
  ["Shift+S", "Sign off the current revision"],
  ["X", "Include or exclude the highlighted source"],
  ["/", "Search stories"],
  ["?", "This list"],
];

const typing = (t: EventTarget | null) =>
  t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t instanceof HTMLElement && t.isContentEditable);

/** One keydown handler for the window; keys typed into fields are left alone (except Ctrl+S and Esc). */
export function installKeys(a: KeyActions, editing: () => boolean) {
  document.addEventListener("keydown", (e) => {
    if (document.querySelector("dialog[open]")) return;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      if (editing()) a.save();
      return;
    }
    if (e.key === "Escape" && editing()) {
      e.preventDefault();
      a.cancel();
      return;
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    if (k === "ArrowDown" || k === "j") a.next();
    else if (k === "ArrowUp" || k === "k") a.previous();
    else if (k === "e" && !editing()) a.edit();
    else if (k === "S" && !editing()) a.signOff();
    else if (k === "x") a.toggleSource();
    else if (k === "/") a.search();
    else if (k === "?") void shortcutsOverlay();
    else return;
    e.preventDefault();
  });
}

export function shortcutsOverlay(): Promise<void> {
  return new Promise((resolve) => {
    const closeBtn = h("button", { class: "btn", type: "button", onclick: () => done() }, "Close");
    const dlg = h(
      "dialog",
      { class: "dialog", "data-testid": "shortcuts" },
      h("h2", {}, "Keyboard shortcuts"),
      h("table", { class: "keys" }, SHORTCUTS.map(([k, what]) => h("tr", {}, h("th", {}, h("kbd", {}, k)), h("td", {}, what)))),
      h("div", { class: "row" }, closeBtn),
    );
    const close = showModal(dlg, () => done());
    const done = () => {
      close();
      resolve();
    };
    closeBtn.focus();
  });
}
