import type { BeatUsage } from "../bindings/BeatUsage";
import type { ModelInfo } from "../bindings/ModelInfo";
import { h, showModal } from "../dom";

/** The model writers dialog: list and add. Keys go to the OS keychain only. */
export function writersDialog(
  models: ModelInfo[],
  offers: ModelInfo[],
  onAdd: (m: ModelInfo, key: string | null) => Promise<string | null>,
  onAccount: (kind: "reddit" | "bluesky", id: string, secret: string) => Promise<string | null>,
): Promise<void> {
  return new Promise((resolve) => {
    const f = {
      name: h("input", { required: true, placeholder: "deepseek", "data-testid": "model-name" }),
      kind: h("select", {}, h("option", { value: "openai" }, "OpenAI-compatible (OpenAI, DeepSeek, vLLM, LM Studio, llama.cpp)"), h("option", { value: "ollama" }, "Ollama (native API)"), h("option", { value: "anthropic" }, "Anthropic")),
      base: h("input", { placeholder: "https://api.deepseek.com or http://127.0.0.1:11434" }),
      model: h("input", { placeholder: "deepseek-v4-flash" }),
      ctx: h("input", { type: "number", min: 1024, step: 1024, placeholder: "8192" }),
      key: h("input", { type: "password", autocomplete: "off", placeholder: "stored in the OS keychain" }),
    };
    const error = h("div", { class: "warn" });
    const list = h(
      "ul",
      { class: "model-list" },
      models.length
        ? models.map((m) => h("li", {}, h("strong", {}, m.name), ` ${m.kind} · ${m.model} · ${m.base_url || "default URL"}`, m.has_key ? null : h("span", { class: "warn" }, " · no key")))
        : h("li", { class: "muted" }, "No model writers yet: the offline writer drafts from the records alone."),
    );
    const offered = offers.length
      ? h(
          "div",
          { class: "offers" },
          h("strong", {}, "Found on this machine (Ollama):"),
          h(
            "ul",
            {},
            offers.map((o) =>
              h("li", {}, `${o.model} `, h("button", { class: "btn small", type: "button", onclick: async () => { const err = await onAdd(o, null); if (err) error.textContent = err; else done(); } }, `Add as ${o.name}`)),
            ),
          ),
        )
      : null;
    const acct = {
      redditId: h("input", { placeholder: "client id" }),
      redditSecret: h("input", { type: "password", autocomplete: "off", placeholder: "client secret" }),
      bskyHandle: h("input", { placeholder: "you.bsky.social" }),
      bskyPassword: h("input", { type: "password", autocomplete: "off", placeholder: "app password (Settings → App passwords)" }),
      status: h("div", { class: "muted" }),
    };
    const saveAccount = async (kind: "reddit" | "bluesky", id: HTMLInputElement, secret: HTMLInputElement) => {
      const err = await onAccount(kind, id.value.trim(), secret.value);
      secret.value = "";
      acct.status.textContent = err ?? `${kind === "reddit" ? "Reddit" : "Bluesky"} credentials stored in the OS keychain.`;
    };
    const accounts = h(
      "section",
      { class: "accounts" },
      h("h3", {}, "Source accounts"),
      h("p", { class: "muted" }, "Needed only to fetch Reddit and Bluesky. They are kept in this computer's keychain, never in Beatdesk's files."),
      h(
        "details",
        { class: "muted" },
        h("summary", {}, "On a server without a keychain"),
        "Set BEATDESK_REDDIT_CLIENT_ID, BEATDESK_REDDIT_CLIENT_SECRET and BEATDESK_BLUESKY_APP_PASSWORD in the environment instead.",
      ),
      h("div", { class: "grid3" }, h("span", { title: "Create a “script” app at reddit.com/prefs/apps for its id and secret" }, "Reddit app"), acct.redditId, acct.redditSecret, h("button", { class: "btn small", type: "button", onclick: () => void saveAccount("reddit", acct.redditId, acct.redditSecret) }, "Save")),
      h("div", { class: "grid3" }, h("span", { title: "An app password from Bluesky's settings, not your login password" }, "Bluesky"), acct.bskyHandle, acct.bskyPassword, h("button", { class: "btn small", type: "button", onclick: () => void saveAccount("bluesky", acct.bskyHandle, acct.bskyPassword) }, "Save")),
      acct.status,
    );
    const dlg = h(
      "dialog",
      { class: "dialog wide" },
      h(
        "form",
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            const m: ModelInfo = {
              name: f.name.value.trim(),
              kind: f.kind.value,
              base_url: f.base.value.trim(),
              model: f.model.value.trim(),
              context_tokens: f.ctx.value ? Number(f.ctx.value) : null,
              has_key: false,
            };
            const err = await onAdd(m, f.key.value || null);
            f.key.value = "";
            if (err) error.textContent = err;
            else done();
          },
        },
        h("h2", {}, "Settings"),
        h("h3", {}, "Writers"),
        h("p", { class: "muted" }, "The offline writer is always available. Add a local or hosted model; a beat can restrict which providers may see its records ([policy] in its configuration)."),
        list,
        offered,
        h("div", { class: "grid2" }, h("label", {}, "Name", f.name), h("label", {}, "Kind", f.kind), h("label", {}, "Base URL", f.base), h("label", {}, "Model id", f.model), h("label", {}, "Context (tokens)", f.ctx), h("label", {}, "API key", f.key)),
        error,
        h("div", { class: "row" }, h("button", { class: "btn primary", type: "submit" }, "Add writer")),
        accounts,
        h("div", { class: "row" }, h("button", { class: "btn", type: "button", onclick: () => done() }, "Close")),
      ),
    );
    const close = showModal(dlg, () => done());
    const done = () => {
      close();
      resolve();
    };
  });
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${Math.round(x * 100)}%`);
const usd = (x: number) => (x ? `$${x.toFixed(x < 1 ? 4 : 2)}` : "$0");

/** One revision's writer figures, from its stored meta. */
export function draftFigures(meta: Record<string, unknown>) {
  if (!meta || meta["provider"] === undefined) return null;
  const n = (k: string) => (typeof meta[k] === "number" ? (meta[k] as number) : null);
  const parts = [
    `${meta["provider"]} ${meta["model"]}`,
    n("prompt_tokens") !== null ? `${n("prompt_tokens")} in / ${n("completion_tokens") ?? "?"} out tokens` : null,
    `cache hits ${pct(n("cache_hit_rate"))}`,
    n("cost_usd") !== null ? usd(n("cost_usd")!) : null,
    n("latency_ms") !== null ? `${(n("latency_ms")! / 1000).toFixed(1)} s` : null,
  ].filter(Boolean);
  return h("div", { class: "figures", "data-testid": "draft-figures" }, parts.join(" · "));
}

export function usagePanel(u: BeatUsage | null) {
  if (!u || u.drafts === 0) return null;
  return h(
    "details",
    { class: "usage" },
    h("summary", {}, `Drafting: ${u.drafts} drafts · ${u.model_drafts} by models · ${usd(u.cost_usd)} · cache hits ${pct(u.cache_hit_rate)}`),
    h(
      "table",
      {},
      h("tr", {}, h("th", {}, "Day"), h("th", {}, "Drafts"), h("th", {}, "Cost"), h("th", {}, "Cache")),
      u.by_day.map((d) => h("tr", {}, h("td", {}, d.day), h("td", {}, d.drafts), h("td", {}, usd(d.cost_usd)), h("td", {}, pct(d.cache_hit_rate)))),
    ),
  );
}
