import type { Signal } from "../bindings/Signal";
import { h } from "../dom";

const PARTS: [keyof Signal, string][] = [
  ["volume", "Volume"],
  ["velocity", "Velocity"],
  ["engagement", "Engagement"],
  ["diversity", "Diversity"],
  ["origins", "Origins"],
  ["recency", "Recency"],
];

/** The signal's components as bars, with the reasons underneath. */
export function signalBreakdown(s: Signal) {
  const max = Math.max(1, ...PARTS.map(([k]) => Math.abs(Number(s[k]) || 0)));
  return h(
    "details",
    { class: "signal-box", "data-testid": "signal-breakdown" },
    h("summary", {}, `Signal ${s.total.toFixed(2)} · ${s.independent_origins} independent origin${s.independent_origins === 1 ? "" : "s"}`),
    h(
      "table",
      { class: "signal-table" },
      PARTS.map(([k, label]) => {
        const v = Number(s[k]) || 0;
        return h(
          "tr",
          {},
          h("th", {}, label),
          h("td", {}, h("span", { class: "bar", style: `width:${Math.round((Math.abs(v) / max) * 100)}%` })),
          h("td", { class: "num" }, v.toFixed(2)),
        );
      }),
    ),
    s.why.length ? h("ul", { class: "why" }, s.why.map((w) => h("li", {}, w))) : null,
  );
}
