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
