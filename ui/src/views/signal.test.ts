import { describe, expect, it } from "vitest";
import type { Signal } from "../bindings/Signal";
import { countedLine, signalBreakdown, signalParts } from "./signal";

const signal: Signal = { total: 1.2, volume: 0.9, velocity: 0.3, engagement: 0.4, diversity: 0.5, origins: 0.2, recency: 1, independent_origins: 2, series: [], why: [] };

describe("the signal panel says what counts", () => {
  it("names the included sources and that excluded ones do not count", () => {
    expect(countedLine({ included: 7, excluded: 0 })).toBe("Counted from the story's 7 included sources.");
    expect(countedLine({ included: 1, excluded: 1 })).toBe("Counted from the story's 1 included source; the 1 excluded source does not count.");
    expect(countedLine({ included: 6, excluded: 2 })).toContain("the 2 excluded sources do not count");
  });

  it("shows the line in the breakdown and labels the volume row as included sources", () => {
    const el = signalBreakdown(signal, { included: 6, excluded: 2 });
    expect(el.querySelector('[data-testid="signal-counted"]')?.textContent).toContain("2 excluded sources do not count");
    const rows = [...el.querySelectorAll("th")].map((th) => th.textContent);
    expect(rows).toContain("How many included sources");
    expect(signalBreakdown(signal).querySelector('[data-testid="signal-counted"]')).toBeNull();
  });

  it("still adds up: the rows sum to the points before freshness", () => {
    const { rows, sum } = signalParts(signal);
    expect(rows.reduce((a, [, v]) => a + v, 0)).toBeCloseTo(sum, 9);
  });
});
