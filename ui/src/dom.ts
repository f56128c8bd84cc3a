// A tiny element builder. Text always goes in as text nodes: source text is
// hostile, and nothing in this UI ever assigns innerHTML.

type Attr = string | number | boolean | null | undefined | ((ev: Event) => void);
export type Child = Node | string | number | null | undefined | false | Child[];

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(key.replace(/^on/, "").toLowerCase(), value as EventListener);
    } else if (key === "style") {
      // CSSOM, not the style attribute: the CSP forbids inline style attributes.
      el.style.cssText = String(value);
    } else if (key === "class") {
      el.className = String(value);
    } else if (key === "value" && "value" in el) {
      (el as HTMLInputElement).value = String(value);
    } else if (key === "checked" && "checked" in el) {
      (el as HTMLInputElement).checked = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]) {
  for (const c of children.flat(Infinity as 1) as Child[]) {
    if (Array.isArray(c)) continue;
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element, ...children: Child[]) {
  el.replaceChildren();
  append(el, children);
}

/** Shows `dlg` as a modal; Escape runs `onCancel`. Returns the function that closes and removes it. */
export function showModal(dlg: HTMLDialogElement, onCancel: () => void): () => void {
  dlg.addEventListener("cancel", onCancel);
  document.body.appendChild(dlg);
  dlg.showModal();
  return () => {
    dlg.close();
    dlg.remove();
  };
}

/** An inline SVG sparkline of counts, built with DOM calls (no markup strings). */
export function sparkline(values: number[], width = 72, height = 18): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "spark");
  svg.setAttribute("aria-hidden", "true");
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", points.join(" "));
  svg.appendChild(line);
  return svg;
}

const dateFmt = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
export function when(iso: string): string {
  return `${dateFmt.format(new Date(iso))} UTC`;
}
