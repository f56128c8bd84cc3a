// A tiny element builder. Text always goes in as text nodes: source text is
// hostile, and nothing in this UI ever assigns innerHTML.

type Attr = string | number | boolean | null | undefined | ((ev: Event) => void);
export type Child = Node | string | number | null | undefined | false | Child[];

// Handlers live in a per-element map behind one listener per event type, so
// `patch` can hand a kept element the new render's handlers without
// replacing the element (which would lose focus, caret and scroll).
type Handlers = Record<string, (ev: Event) => void>;
const HANDLERS = Symbol("handlers");
type WithHandlers = Element & { [HANDLERS]?: Handlers };

function dispatch(this: WithHandlers, ev: Event) {
  this[HANDLERS]?.[ev.type]?.(ev);
}

function setHandlers(el: WithHandlers, handlers: Handlers) {
  const old = el[HANDLERS] ?? {};
  for (const type of Object.keys(handlers)) if (!(type in old)) el.addEventListener(type, dispatch);
  for (const type of Object.keys(old)) if (!(type in handlers)) el.removeEventListener(type, dispatch);
  el[HANDLERS] = handlers;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  const handlers: Handlers = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") {
      handlers[key.replace(/^on/, "").toLowerCase()] = value as (ev: Event) => void;
    } else if (key === "style") {
      // CSSOM, not the style attribute: the CSP forbids inline style attributes.
      el.style.cssText = String(value);
    } else if (key === "class") {
      el.className = String(value);
    } else if (key === "value" && "value" in el) {
      (el as HTMLInputElement).value = String(value);
      el.setAttribute("data-value", String(value));
    } else if (key === "checked" && "checked" in el) {
      (el as HTMLInputElement).checked = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  if (Object.keys(handlers).length) setHandlers(el, handlers);
  append(el, children);
  if (tag === "textarea") el.setAttribute("data-value", (el as HTMLTextAreaElement).value);
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

/** Updates `el`'s children to `children` in place: elements of the same tag
 * (and `data-key`) are kept and only their changed attributes, text and
 * handlers are updated. Focus, caret, scroll and open <details> survive. */
export function patch(el: Element, ...children: Child[]) {
  const fresh = document.createElement("div");
  append(fresh, children);
  morphChildren(el, fresh);
}

const keyOf = (n: Node) => (n instanceof Element ? n.getAttribute("data-key") : null);

function same(a: Node, b: Node) {
  if (a.nodeType !== b.nodeType) return false;
  if (a instanceof Element && b instanceof Element) return a.tagName === b.tagName && keyOf(a) === keyOf(b);
  return true;
}

function morphChildren(into: Element, from: Element) {
  const keyed = new Map<string, Element>();
  for (const c of Array.from(into.children)) {
    const k = c.getAttribute("data-key");
    if (k !== null) keyed.set(k, c);
  }
  let cursor: ChildNode | null = into.firstChild;
  for (const next of Array.from(from.childNodes)) {
    const k = keyOf(next);
    let match: ChildNode | null = null;
    if (k !== null) {
      const found = keyed.get(k);
      if (found && found.tagName === (next as Element).tagName) match = found;
    } else if (cursor && keyOf(cursor) === null && same(cursor, next)) {
      match = cursor;
    }
    if (match) {
      if (match !== cursor) into.insertBefore(match, cursor);
      else cursor = cursor.nextSibling;
      morph(match, next);
      if (k !== null) keyed.delete(k);
    } else {
      into.insertBefore(next, cursor);
    }
  }
  while (cursor) {
    const gone = cursor;
    cursor = cursor.nextSibling;
    gone.remove();
  }
}

function morph(old: ChildNode, next: ChildNode) {
  if (!(old instanceof Element) || !(next instanceof Element)) {
    if (old.nodeValue !== next.nodeValue) old.nodeValue = next.nodeValue;
    return;
  }
  for (const a of Array.from(old.attributes)) {
    if (next.hasAttribute(a.name) || a.name === "style") continue;
    // The reader opens and closes <details>; a render does not undo that.
    if (a.name === "open" && old.tagName === "DETAILS") continue;
    old.removeAttribute(a.name);
  }
  for (const a of Array.from(next.attributes)) {
    // Styles go through CSSOM below: the CSP refuses style attributes.
    if (a.name !== "style" && old.getAttribute(a.name) !== a.value) old.setAttribute(a.name, a.value);
  }
  setHandlers(old, (next as WithHandlers)[HANDLERS] ?? {});
  if (old instanceof HTMLInputElement || old instanceof HTMLTextAreaElement || old instanceof HTMLSelectElement) {
    const want = (next as HTMLInputElement).value;
    if (old instanceof HTMLInputElement && (old.type === "checkbox" || old.type === "radio")) {
      old.checked = (next as HTMLInputElement).checked;
    } else if (!(old instanceof HTMLSelectElement) && old.value !== want) {
      old.value = want;
    }
    if (old instanceof HTMLTextAreaElement) return;
  }
  if (old instanceof HTMLElement && next instanceof HTMLElement && old.style.cssText !== next.style.cssText) {
    old.style.cssText = next.style.cssText;
  }
  morphChildren(old, next);
  if (old instanceof HTMLSelectElement) {
    const want = (next as HTMLSelectElement).value;
    if (old.value !== want) old.value = want;
  }
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
