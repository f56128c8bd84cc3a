import { h, showModal } from "../dom";

export interface AskOptions {
  title: string;
  label: string;
  confirm: string;
  testid: string;
  optional?: boolean;
}

/** A modal text prompt. Resolves to the text, or null when cancelled. */
export function askText(o: AskOptions): Promise<string | null> {
  return new Promise((resolve) => {
    const input = h("input", { type: "text", "data-testid": `${o.testid}-input`, "aria-label": o.title, maxlength: 120 });
    const error = h("div", { class: "warn" });
    const dlg = h(
      "dialog",
      { class: "dialog", "data-testid": `${o.testid}-dialog` },
      h(
        "form",
        {
          method: "dialog",
          onsubmit: (e: Event) => {
            e.preventDefault();
            const v = input.value.trim();
            if (!v && !o.optional) {
              error.textContent = "This is required.";
              return;
            }
            done(v);
          },
        },
        h("h2", {}, o.title),
        h("p", {}, o.label),
        input,
        error,
        h(
          "div",
          { class: "row" },
          h("button", { class: "btn primary", type: "submit", "data-testid": `${o.testid}-confirm` }, o.confirm),
          h("button", { class: "btn", type: "button", onclick: () => done(null) }, "Cancel"),
        ),
      ),
    );
    const close = showModal(dlg, () => done(null));
    const done = (v: string | null) => {
      close();
      resolve(v);
    };
    input.focus();
  });
}

export interface Choice<T> {
  label: string;
  value: T;
  testid: string;
  primary?: boolean;
  danger?: boolean;
}

/** A modal question with a few answers. Resolves to the chosen value, or null on Escape. */
export function askChoice<T>(title: string, text: string, choices: Choice<T>[]): Promise<T | null> {
  return new Promise((resolve) => {
    const buttons = choices.map((c) =>
      h("button", { class: `btn${c.primary ? " primary" : ""}${c.danger ? " danger" : ""}`, type: "button", "data-testid": c.testid, onclick: () => done(c.value) }, c.label),
    );
    const dlg = h("dialog", { class: "dialog", "data-testid": "choice-dialog", role: "alertdialog" }, h("h2", {}, title), h("p", {}, text), h("div", { class: "row" }, buttons));
    const close = showModal(dlg, () => done(null));
    const done = (v: T | null) => {
      close();
      resolve(v);
    };
    buttons[0]?.focus();
  });
}

/** A modal list to pick one item from. Resolves to its value, or null when cancelled. */
export function askPick(title: string, label: string, options: { value: number; label: string }[], confirm: string, testid: string): Promise<number | null> {
  return new Promise((resolve) => {
    const select = h("select", { "data-testid": `${testid}-select`, "aria-label": title, size: Math.min(12, Math.max(4, options.length)), class: "pick" }, options.map((o, i) => h("option", { value: o.value, selected: i === 0 }, o.label)));
    const dlg = h(
      "dialog",
      { class: "dialog wide", "data-testid": `${testid}-dialog` },
      h(
        "form",
        { onsubmit: (e: Event) => { e.preventDefault(); done(select.value ? Number(select.value) : null); } },
        h("h2", {}, title),
        h("p", {}, label),
        select,
        h("div", { class: "row" }, h("button", { class: "btn primary", type: "submit", "data-testid": `${testid}-confirm` }, confirm), h("button", { class: "btn", type: "button", onclick: () => done(null) }, "Cancel")),
      ),
    );
    const close = showModal(dlg, () => done(null));
    const done = (v: number | null) => {
      close();
      resolve(v);
    };
    select.focus();
  });
}
