import { describe, expect, it } from "vitest";
import { h, sparkline } from "./dom";

describe("h", () => {
  it("puts hostile source text in as text, never as markup", () => {
    const el = h("p", {}, "<img src=x onerror=alert(1)>", h("b", {}, "<script>alert(1)</script>"));
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("script")).toBeNull();
    expect(el.textContent).toBe("<img src=x onerror=alert(1)><script>alert(1)</script>");
  });

  it("binds events, classes and skips empty children", () => {
    let clicks = 0;
    const el = h("button", { class: "btn", onclick: () => clicks++, disabled: false }, null, false, ["a", ["b"]]);
    el.click();
    expect(clicks).toBe(1);
    expect(el.className).toBe("btn");
    expect(el.hasAttribute("disabled")).toBe(false);
    expect(el.textContent).toBe("ab");
  });
});

describe("sparkline", () => {
  it("draws one point per value, highest at the top", () => {
    const svg = sparkline([0, 5, 10], 20, 12);
    const pts = svg.querySelector("polyline")!.getAttribute("points")!.split(" ");
    expect(pts).toHaveLength(3);
    const ys = pts.map((p) => Number(p.split(",")[1]));
    expect(ys[2]).toBeLessThan(ys[0]);
  });
});

describe("patch", () => {
  it("keeps elements, so focus and typed text survive a render, and swaps handlers", async () => {
    const { patch } = await import("./dom");
    const root = document.createElement("div");
    document.body.appendChild(root);
    let got = "";
    patch(root, h("input", { "data-testid": "a", value: "one", oninput: () => (got = "first") }), h("p", {}, "x"));
    const input = root.querySelector("input")!;
    input.focus();
    patch(root, h("input", { "data-testid": "a", value: "two", oninput: () => (got = "second") }), h("p", {}, "y"));
    expect(root.querySelector("input")).toBe(input);
    expect(document.activeElement).toBe(input);
    expect(input.value).toBe("two");
    input.dispatchEvent(new Event("input"));
    expect(got).toBe("second");
    expect(root.querySelector("p")!.textContent).toBe("y");
  });

  it("moves keyed children instead of rebuilding them", async () => {
    const { patch } = await import("./dom");
    const root = document.createElement("ol");
    const items = (ids: number[]) => ids.map((i) => h("li", { "data-key": i }, `item ${i}`));
    patch(root, items([1, 2, 3]));
    const [one, two, three] = Array.from(root.children);
    patch(root, items([3, 1]));
    expect(Array.from(root.children)).toEqual([three, one]);
    expect(two.isConnected).toBe(false);
    patch(root, items([3, 1, 4]));
    expect(root.children[2].textContent).toBe("item 4");
  });

  it("leaves a <details> the reader opened open", async () => {
    const { patch } = await import("./dom");
    const root = document.createElement("div");
    patch(root, h("details", {}, h("summary", {}, "s")));
    root.querySelector("details")!.setAttribute("open", "");
    patch(root, h("details", {}, h("summary", {}, "s")));
    expect(root.querySelector("details")!.hasAttribute("open")).toBe(true);
  });
});

describe("evidence", () => {
  it("marks the sentences a paragraph quotes, as text", async () => {
    const { highlighted } = await import("./views/evidence");
    const text = "Intro line. The lab said <b>it</b> will publish the weights next week. Other words.";
    const nodes = highlighted(text, "“The lab said <b>it</b> will publish the weights next week.” Someone added.");
    const p = h("p", {}, ...nodes);
    expect(p.querySelectorAll("mark")).toHaveLength(1);
    expect(p.querySelector("mark")!.textContent).toBe("The lab said <b>it</b> will publish the weights next week");
    expect(p.querySelector("b")).toBeNull();
    expect(p.textContent).toBe(text);
  });
});

describe("beat form", () => {
  it("writes TOML with every value quoted and escaped", async () => {
    const { toToml } = await import("./views/beats");
    const toml = toToml([{ kind: "reddit", a: "LocalLLaMA", b: 'say "hi"\\n', c: "" }, { kind: "feed", a: "https://e.example/rss", b: "", c: "" }], 7, 30);
    expect(toml).toContain('[[source]]\nkind = "reddit"\nsubreddit = "LocalLLaMA"\nquery = "say \\"hi\\"\\\\n"');
    expect(toml).toContain('kind = "feed"\nurl = "https://e.example/rss"');
    expect(toml.startsWith("window_days = 7\nrefresh_minutes = 30")).toBe(true);
  });
});

describe("signal parts", () => {
  it("add up to the total once freshness is applied", async () => {
    const { signalParts } = await import("./views/signal");
    const s = { total: 5.1, volume: 2, velocity: 1, engagement: 1.5, diversity: 1, origins: 0.7, recency: 0.5, independent_origins: 2, series: [], why: [] };
    const { rows, sum, factor } = signalParts(s);
    expect(factor).toBeCloseTo(0.6);
    expect(rows.reduce((a, [, v]) => a + v, 0)).toBeCloseTo(sum);
    expect(sum * factor).toBeCloseTo(5.1);
  });
});
