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
