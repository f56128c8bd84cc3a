import { backend, errorMessage } from "../backend";
import type { StoreSettings } from "../bindings/StoreSettings";
import { h, showModal } from "../dom";

/** Settings → Store: where this laptop's Beatdesk keeps its data. A SQLite file
 *  (the default) or a newsroom's PostgreSQL server; the address never holds a
 *  password (the keychain, PGPASSWORD or .pgpass do). Applies at next start. */
export async function storeDialog(): Promise<void> {
  let s: StoreSettings;
  try {
    s = await backend.getStoreSettings();
  } catch (e) {
    window.alert(errorMessage(e));
    return;
  }
  const input = h("input", {
    type: "text",
    "data-testid": "store-address-input",
    "aria-label": "Store address",
    placeholder: "postgres://you@db.newsroom.example/beatdesk (empty: this laptop's file)",
    value: s.saved ?? "",
    maxlength: 500,
  }) as HTMLInputElement;
  const note = h("div", { class: "warn", "aria-live": "polite" });
  const describe = (x: StoreSettings) =>
    `In use: ${x.engine === "postgres" ? "shared store" : "this laptop's file"} ${x.active}` +
    (x.from_env ? " (BEATDESK_STORE is set and wins over this setting)" : "");
  const current = h("p", { "data-testid": "store-active" }, describe(s));
  return new Promise((resolve) => {
    const close = showModal(
      h(
        "dialog",
        { class: "dialog", "data-testid": "store-dialog" },
        h(
          "form",
          {
            method: "dialog",
            onsubmit: async (e: Event) => {
              e.preventDefault();
              try {
                const saved = await backend.setStoreAddress(input.value.trim() || null);
                current.textContent = describe(saved);
                note.textContent = "Saved. Beatdesk opens this store when it next starts.";
              } catch (err) {
                note.textContent = errorMessage(err);
              }
            },
          },
          h("h2", {}, "Store"),
          current,
          h("p", {}, "A PostgreSQL address shares one store with your desk; leave it empty for this laptop's own file. No password here: Beatdesk reads it from the keychain, PGPASSWORD or .pgpass."),
          input,
          note,
          h(
            "div",
            { class: "row" },
            h("button", { class: "btn primary", type: "submit", "data-testid": "store-save" }, "Save"),
            h("button", { class: "btn", type: "button", onclick: () => done() }, "Close"),
          ),
        ),
      ) as HTMLDialogElement,
      () => done(),
    );
    function done() {
      close();
      resolve();
    }
  });
}
