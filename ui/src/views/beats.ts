import { clear, h, showModal } from "../dom";

type Kind = "reddit" | "bluesky" | "feed";

export interface Row {
  kind: Kind;
  a: string;
  b: string;
  c: string;
}

const FIELDS: Record<Kind, [string, string, string][]> = {
  // [toml key, label, placeholder]
  reddit: [
    ["subreddit", "Subreddit", "LocalLLaMA"],
    ["query", "Search words (optional)", "deepseek"],
  ],
  bluesky: [
    ["query", "Search words", "open source AI"],
    ["actor", "Or one account (optional)", "someone.bsky.social"],
    ["handle", "Your handle (app password in Settings)", "desk.bsky.social"],
  ],
  feed: [["url", "Feed address (RSS, Atom or Google News)", "https://news.google.com/rss/search?q=open+source+AI"]],
};

/** A TOML basic string: quotes and backslashes escaped, control characters dropped. */
export function tomlString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\u0000-\u001f\u007f]/g, "")}"`;
}

/** The beat configuration the guided form describes. */
export function toToml(rows: Row[], windowDays: number, refreshMinutes: number): string {
  const head = [`window_days = ${windowDays}`, `refresh_minutes = ${refreshMinutes}`, "max_web_citations = 3"];
  return head.join("\n") + "\n" + sourcesToml(rows);
}

/** `[[source]]` entries for the rows that have something filled in. */
export function sourcesToml(rows: Row[]): string {
  const out: string[] = [];
  for (const r of rows) {
    const values = [r.a, r.b, r.c];
    const lines = FIELDS[r.kind]
      .map(([key], i) => [key, values[i].trim()] as const)
      .filter(([, v]) => v !== "")
      .map(([k, v]) => `${k} = ${tomlString(v)}`);
    if (!lines.length) continue;
    out.push("", "[[source]]", `kind = "${r.kind}"`, ...lines);
  }
  return out.length ? out.join("\n") + "\n" : "";
}

/** Rows of a guided source form; `rows` is edited in place. */
export function sourceRows(rows: Row[], redraw: () => void) {
  return h(
    "div",
    { class: "guided" },
    rows.map((r, i) =>
      h(
        "div",
        { class: "guided-row", "data-testid": "guided-row" },
        h(
          "select",
          { "aria-label": "Kind of source", "data-testid": "guided-kind", onchange: (e) => { r.kind = (e.target as HTMLSelectElement).value as Kind; redraw(); } },
          ([["reddit", "Reddit"], ["bluesky", "Bluesky"], ["feed", "News feed"]] as [Kind, string][]).map(([v, l]) => h("option", { value: v, selected: r.kind === v }, l)),
        ),
        FIELDS[r.kind].map(([, label, ph], fi) =>
          h("label", {}, label, h("input", { value: [r.a, r.b, r.c][fi], placeholder: ph, "data-testid": `guided-field-${fi}`, oninput: (e) => { const v = (e.target as HTMLInputElement).value; if (fi === 0) r.a = v; else if (fi === 1) r.b = v; else r.c = v; } })),
        ),
        h("button", { class: "btn small danger", type: "button", "aria-label": "Remove this source", onclick: () => { rows.splice(i, 1); redraw(); } }, "✕"),
      ),
    ),
    h("button", { class: "btn small", type: "button", "data-testid": "guided-add", onclick: () => { rows.push({ kind: "feed", a: "", b: "", c: "" }); redraw(); } }, "+ Add a source"),
  );
}

/** New beat: a name and either the guided form or TOML. Resolves when created or cancelled. */
export function newBeatDialog(create: (name: string, toml: string) => Promise<string | null>): Promise<boolean> {
  return new Promise((resolve) => {
    const rows: Row[] = [{ kind: "feed", a: "", b: "", c: "" }];
    let asToml = false;
    const name = h("input", { "data-testid": "beat-name", placeholder: "Chips and export controls", "aria-label": "Beat name", maxlength: 120 });
    const days = h("input", { type: "number", min: 1, max: 90, value: 7, "aria-label": "Days to follow" });
    const refresh = h("input", { type: "number", min: 5, max: 1440, value: 30, "aria-label": "Refresh every (minutes)" });
    const toml = h("textarea", { class: "config", rows: 12, spellcheck: "false", "data-testid": "beat-toml", "aria-label": "Beat configuration (TOML)" });
    const body = h("div", {});
    const nameError = h("div", { class: "field-error", "data-testid": "beat-name-error" });
    const error = h("div", { class: "field-error", "data-testid": "beat-error" });
    const draw = () =>
      clear(
        body,
        asToml
          ? [h("p", { class: "muted" }, "The same settings as TOML, for people who prefer it. Credentials never go here."), toml]
          : [
              h("div", { class: "grid2" }, h("label", {}, "Follow items from the last (days)", days), h("label", {}, "Check for new items every (minutes)", refresh)),
              h("h3", {}, "Sources"),
              sourceRows(rows, draw),
            ],
      );
    draw();
    const dlg = h(
      "dialog",
      { class: "dialog wide", "data-testid": "new-beat-dialog" },
      h(
        "form",
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            nameError.textContent = name.value.trim() ? "" : "A beat needs a name.";
            if (!name.value.trim()) return name.focus();
            const config = asToml ? toml.value : toToml(rows.filter((r) => r.a.trim() || r.b.trim()), Number(days.value) || 7, Number(refresh.value) || 30);
            const err = await create(name.value, config);
            if (err) error.textContent = err;
            else done(true);
          },
        },
        h("h2", {}, "New beat"),
        h("p", { class: "muted" }, "A beat is a subject you follow. Beatdesk fetches its sources, groups what it finds into stories and ranks them."),
        h("label", { class: "field" }, "Name", name),
        nameError,
        body,
        error,
        h(
          "div",
          { class: "row" },
          h("button", { class: "btn primary", type: "submit", "data-testid": "beat-create" }, "Create beat"),
          h("button", { class: "btn", type: "button", "data-testid": "beat-as-toml", onclick: () => { if (!asToml) toml.value = toToml(rows, Number(days.value) || 7, Number(refresh.value) || 30); asToml = !asToml; draw(); } }, "Edit as TOML"),
          h("button", { class: "btn", type: "button", onclick: () => done(false) }, "Cancel"),
        ),
      ),
    );
    const close = showModal(dlg, () => done(false));
    const done = (v: boolean) => {
      close();
      resolve(v);
    };
    name.focus();
  });
}
