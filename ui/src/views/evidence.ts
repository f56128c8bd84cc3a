import { h } from "../dom";

/** Sentences of a paragraph, without the quote marks a writer puts around them. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])["”’]?\s+/)
    .map((s) => s.replace(/^[\s"“‘'—–-]+|[\s"”’']+$/g, "").trim())
    .filter((s) => s.length >= 12);
}

/** The record's text as nodes, with every sentence the paragraph quotes marked.
 * Built from text nodes and <mark> elements only: source text is never parsed. */
export function highlighted(text: string, paragraph: string | null): (Node | string)[] {
  if (!paragraph) return [text];
  const spans: [number, number][] = [];
  for (const s of sentences(paragraph)) {
    // The writer may end a quote where the source goes on: match without the final stop.
    const probe = s.replace(/[.!?…]$/, "");
    let from = 0;
    for (;;) {
      const at = text.indexOf(probe, from);
      if (at < 0) break;
      spans.push([at, at + probe.length]);
      from = at + probe.length;
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  const out: (Node | string)[] = [];
  let pos = 0;
  for (const [a, b] of spans) {
    if (a < pos) continue;
    out.push(text.slice(pos, a), h("mark", { "data-testid": "evidence" }, text.slice(a, b)));
    pos = b;
  }
  out.push(text.slice(pos));
  return out;
}
