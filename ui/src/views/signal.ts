import type { Signal } from "../bindings/Signal";
import { h } from "../dom";

/** The signal's parts as points that visibly add up to its total. The
 * momentum row is what remains of the sum once the other parts are counted
 * (the analysis weighs the burst of recent records there). */
export function signalParts(s: Signal): { rows: [string, number][]; sum: number; factor: number; halved: boolean } {
  const halved = s.why.some((w) => w.startsWith("roundup"));
  const factor = (0.2 + 0.8 * s.recency) * (halved ? 0.5 : 1);
  const sum = factor > 0 ? s.total / factor : 0;
  const known: [string, number][] = [
    ["How many included sources", s.volume],
    ["Their reactions (votes, comments, likes)", s.engagement],
    ["Different authors, outlets and platforms", 0.7 * s.diversity],
    ["Independent reports (copies count once)", s.origins],
  ];
  const momentum = sum - known.reduce((a, [, v]) => a + v, 0);
  return { rows: [known[0], ["Momentum (records arriving fast)", momentum], ...known.slice(1)], sum, factor, halved };
}

/** Which of the story's sources the signal counts. */
export interface Counted {
  included: number;
  excluded: number;
}

/** What counts, in words: excluded sources never reach the signal (nor a writer). */
export function countedLine(c: Counted): string {
  const inc = `${c.included} included source${c.included === 1 ? "" : "s"}`;
  if (!c.excluded) return `Counted from the story's ${inc}.`;
  return `Counted from the story's ${inc}; the ${c.excluded} excluded source${c.excluded === 1 ? " does" : "s do"} not count.`;
}

/** Why a story ranks where it does, in words and points. */
export function signalBreakdown(s: Signal, counted?: Counted) {
  const { rows, sum, factor, halved } = signalParts(s);
  const max = Math.max(0.01, ...rows.map(([, v]) => Math.abs(v)));
  const pts = (v: number) => (v >= 0 ? `+${v.toFixed(2)}` : v.toFixed(2));
  return h(
    "details",
    { class: "signal-box", "data-testid": "signal-breakdown" },
    h("summary", {}, `Signal ${s.total.toFixed(2)} · ${s.independent_origins} independent report${s.independent_origins === 1 ? "" : "s"} · why it ranks here`),
    counted ? h("p", { class: "muted counted", "data-testid": "signal-counted" }, countedLine(counted)) : null,
    h(
      "table",
      { class: "signal-table" },
      rows.map(([label, v]) => h("tr", {}, h("th", {}, label), h("td", {}, h("span", { class: "bar", style: `width:${Math.round((Math.abs(v) / max) * 100)}%` })), h("td", { class: "num" }, pts(v)))),
      h("tr", { class: "sum" }, h("th", {}, "Points"), h("td", {}), h("td", { class: "num" }, sum.toFixed(2))),
      h("tr", {}, h("th", {}, halved ? "× freshness × ½ (a roundup of several stories)" : "× freshness (older news counts less)"), h("td", {}), h("td", { class: "num" }, `×${factor.toFixed(2)}`)),
      h("tr", { class: "sum" }, h("th", {}, "Signal"), h("td", {}), h("td", { class: "num" }, s.total.toFixed(2))),
    ),
    s.why.length ? h("ul", { class: "why" }, s.why.map((w) => h("li", {}, w))) : null,
  );
}
