import type { IngestProgress } from "../bindings/IngestProgress";
import type { IngestSummary } from "../bindings/IngestSummary";
import type { SourceInfo } from "../bindings/SourceInfo";
import type { Attribution } from "../bindings/Attribution";
import { clear, h, showModal, when } from "../dom";
import { sourceRows, sourcesToml, type Row } from "./beats";

export interface SourcesDeps {
  beatName: string;
  load: () => Promise<SourceInfo[]>;
  config: () => Promise<string>;
  saveConfig: (toml: string) => Promise<SourceInfo[]>;
  fetchNow: (onProgress: (p: IngestProgress) => void) => Promise<IngestSummary>;
  /** Subscribes to the background refresh's progress; returns the unsubscribe. */
  watch: (onProgress: (p: IngestProgress) => void) => Promise<() => void>;
}

const EXAMPLE = `window_days = 7
refresh_minutes = 30
max_web_citations = 3

[[source]]
kind = "reddit"
subreddit = "LocalLLaMA"
query = "deepseek"

[[source]]
kind = "feed"
url = "https://news.google.com/rss/search?q=open+source+AI"

# [policy]
# local_only = true`;

/** A beat's sources: fetch state, last error, progress bars, and the TOML configuration. */
export async function sourcesDialog(d: SourcesDeps): Promise<boolean> {
  let sources = await d.load();
  let changed = false;
  const bars = new Map<number, HTMLProgressElement>();
  // Survives redraws, so a finished run still shows full bars.
  const fractions = new Map<number, number>();
  const list = h("ul", { class: "source-admin", "data-testid": "source-admin" });
  const status = h("div", { class: "muted" });
  const draw = () => {
    bars.clear();
    clear(
      list,
      sources.length
        ? sources.map((s) => {
            const bar = h("progress", { max: 1, value: fractions.get(s.id) ?? 0, class: "source-progress" });
            bars.set(s.id, bar);
            return h(
              "li",
              { "data-testid": "source-row" },
              h("div", {}, h("span", { class: `platform platform-${s.kind === "feed" ? "news" : s.kind}` }, s.kind), " ", h("strong", {}, s.label)),
              h("div", { class: "muted" }, s.last_fetch_at ? `fetched ${when(s.last_fetch_at)}` : "never fetched", s.next_check_at ? ` · next ${when(s.next_check_at)}` : ""),
              s.last_error ? h("div", { class: "warn", "data-testid": "source-error" }, `Last error (${s.error_count}×): ${s.last_error}`) : null,
              bar,
            );
          })
        : h("li", { class: "muted" }, "No sources: this beat only holds imported and manual records. Add [[source]] entries below."),
    );
  };
  draw();
  const area = h("textarea", { class: "config", rows: 12, spellcheck: "false", "data-testid": "beat-config", "aria-label": "Beat configuration (TOML)" }, await d.config());
  const error = h("div", { class: "warn" });
  const rows: Row[] = [{ kind: "feed", a: "", b: "", c: "" }];
  const guided = h("div", {});
  const drawGuided = () => clear(guided, sourceRows(rows, drawGuided));
  drawGuided();
  const progress = (p: IngestProgress) => {
    if (p.fraction === null) return;
    fractions.set(p.source_id, p.fraction);
    const bar = bars.get(p.source_id);
    if (bar) bar.value = p.fraction;
  };
  // The background refresh moves the same bars while the dialog is open.
  const unwatch = await d.watch((p) => {
    progress(p);
    if (p.phase === "finished") void d.load().then((s) => ((sources = s), draw()));
  });
  return new Promise((resolve) => {
    const fetchBtn = h("button", {
      class: "btn primary",
      type: "button",
      "data-testid": "fetch-now",
      onclick: async () => {
        fetchBtn.disabled = true;
        status.textContent = "Fetching…";
        try {
          const s = await d.fetchNow(progress);
          const errs = s.sources.reduce((n, r) => n + r.errors.length, 0) + s.errors.length;
          status.textContent = `${s.new_records} new records · ${errs} errors`;
          changed = true;
          sources = await d.load();
          draw();
        } catch (e) {
          status.textContent = String((e as { message?: string }).message ?? e);
        } finally {
          fetchBtn.disabled = false;
        }
      },
    }, "Fetch now");
    const dlg = h(
      "dialog",
      { class: "dialog wide" },
      h("h2", {}, `Sources of ${d.beatName}`),
      list,
      h("div", { class: "row" }, fetchBtn, status),
      h("h3", {}, "Add a source"),
      guided,
      h("button", { class: "btn small", type: "button", "data-testid": "guided-append", onclick: () => {
        const add = sourcesToml(rows);
        if (!add) return;
        area.value = `${area.value.trimEnd()}\n${add}`;
        rows.splice(0, rows.length, { kind: "feed", a: "", b: "", c: "" });
        drawGuided();
        error.textContent = "Added below: press Save configuration to keep it.";
      } }, "Add to the configuration"),
      h("h3", {}, "Configuration"),
      h("p", { class: "muted" }, "Everything the beat follows, as text (TOML). Passwords and keys go in Settings, never here."),
      area,
      error,
      h(
        "div",
        { class: "row" },
        h("button", {
          class: "btn",
          type: "button",
          "data-testid": "save-config",
          onclick: async () => {
            try {
              sources = await d.saveConfig(area.value);
              error.textContent = "";
              changed = true;
              draw();
            } catch (e) {
              error.textContent = String((e as { message?: string }).message ?? e);
            }
          },
        }, "Save configuration"),
        h("button", { class: "btn", type: "button", onclick: () => { if (!area.value.trim()) area.value = EXAMPLE; } }, "Example"),
        h("button", { class: "btn", type: "button", onclick: () => done() }, "Close"),
      ),
    );
    const close = showModal(dlg, () => done());
    const done = () => {
      unwatch();
      close();
      resolve(changed);
    };
  });
}

/** A reporter's source for a story: a URL to fetch, or pasted words with who said them. */
export function addSourceDialog(onAdd: (input: string, note: string | null, attribution: Attribution) => Promise<string | null>): Promise<void> {
  return new Promise((resolve) => {
    const input = h("textarea", { rows: 5, "data-testid": "source-input", "aria-label": "Address or text", placeholder: "https://… or paste the words (a statement, an email, notes from a call)" });
    const who = h("input", { "data-testid": "source-who", placeholder: "Dana Kim", "aria-label": "Who said it" });
    const capacity = h("input", { "data-testid": "source-capacity", placeholder: "spokesperson for the lab", "aria-label": "In what capacity" });
    const said = h("input", { type: "datetime-local", "data-testid": "source-when", "aria-label": "When (UTC)" });
    const note = h("input", { "data-testid": "source-note", placeholder: "Why it matters (optional)", "aria-label": "Note" });
    const inputError = h("div", { class: "field-error", "data-testid": "source-input-error" });
    const error = h("div", { class: "field-error", "data-testid": "source-error" });
    const attribution = h(
      "div",
      { class: "grid2" },
      h("label", {}, "Who said it", who),
      h("label", {}, "In what capacity", capacity),
      h("label", {}, "When (UTC)", said),
      h("label", {}, "Note", note),
    );
    const isUrl = () => /^https?:\/\//i.test(input.value.trim());
    const sync = () => {
      attribution.hidden = isUrl();
      inputError.textContent = "";
    };
    input.addEventListener("input", sync);
    const dlg = h(
      "dialog",
      { class: "dialog wide", "data-testid": "add-source-dialog" },
      h(
        "form",
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            const text = input.value.trim();
            if (!text) {
              inputError.textContent = "Paste an address or the words to add.";
              return input.focus();
            }
            if (isUrl() && /\s/.test(text)) {
              inputError.textContent = "This starts like a web address but has a space in it: fix the address, or remove “http” to add it as text.";
              return input.focus();
            }
            const when = said.value ? new Date(`${said.value}:00Z`).toISOString() : null;
            const err = await onAdd(text, note.value.trim() || null, { who: isUrl() ? "" : who.value.trim(), capacity: isUrl() ? "" : capacity.value.trim(), when: isUrl() ? null : when });
            if (!err) return done();
            if (/: url: /.test(err)) inputError.textContent = err.replace(/^manual source: url: /, "");
            else error.textContent = err;
          },
        },
        h("h2", {}, "Add a source"),
        h("p", { class: "muted" }, "A web address is fetched and its article text kept. Pasted words are kept as they are, credited to who said them; you are recorded as the one who added them."),
        input,
        inputError,
        attribution,
        error,
        h("div", { class: "row" }, h("button", { class: "btn primary", type: "submit", "data-testid": "source-add-confirm" }, "Add source"), h("button", { class: "btn", type: "button", onclick: () => done() }, "Cancel")),
      ),
    );
    const close = showModal(dlg, () => done());
    const done = () => {
      close();
      resolve();
    };
    input.focus();
  });
}
