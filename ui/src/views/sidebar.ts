import type { Beat } from "../bindings/Beat";
import type { StorySummary } from "../bindings/StorySummary";
import type { BeatUsage } from "../bindings/BeatUsage";
import { h, sparkline } from "../dom";
import { usagePanel } from "./writers";

export interface SidebarProps {
  beats: Beat[];
  beatId: number | null;
  stories: StorySummary[];
  storyId: number | null;
  onBeat: (id: number) => void;
  onStory: (id: number) => void;
  usage: BeatUsage | null;
  onSources: () => void;
}

const STATUS_LABEL: Record<string, string> = {
  candidate: "Candidate",
  drafted: "Drafted",
  in_review: "In review",
  approved: "Approved",
  exported: "Exported",
  spiked: "Spiked",
  corrected: "Corrected",
};

export function statusPill(status: string) {
  return h("span", { class: `pill pill-${status}`, "data-testid": "status" }, STATUS_LABEL[status] ?? status);
}

export function sidebar(p: SidebarProps) {
  const beatSelect = h(
    "select",
    { class: "beat-select", "aria-label": "Beat", onchange: (e) => p.onBeat(Number((e.target as HTMLSelectElement).value)) },
    p.beats.map((b) => h("option", { value: b.id, selected: b.id === p.beatId }, `${b.name} · ${b.record_count} records`)),
  );
  const items = p.stories.map((s, i) => {
    const counts = s.signal.series.map((pt) => pt.records);
    return h(
      "li",
      {},
      h(
        "button",
        {
          class: `story-item${s.id === p.storyId ? " active" : ""}`,
          "data-testid": "story-item",
          "data-story-id": s.id,
          title: `Signal ${s.signal.total.toFixed(2)}: ${s.signal.why.join("; ")}`,
          onclick: () => p.onStory(s.id),
        },
        h("span", { class: "rank" }, String(i + 1)),
        h(
          "span",
          { class: "story-main" },
          h("span", { class: "story-title" }, s.title),
          h(
            "span",
            { class: "story-meta" },
            statusPill(s.status),
            h("span", {}, `${s.record_count} rec`),
            s.signal.independent_origins <= 1 ? h("span", { class: "warn-chip", title: "Only one independent origin: unconfirmed" }, "1 origin") : null,
            s.new_since_draft > 0 ? h("span", { class: "new-chip" }, `+${s.new_since_draft} new`) : null,
          ),
        ),
        h("span", { class: "story-signal" }, h("strong", {}, s.signal.total.toFixed(1)), sparkline(counts)),
      ),
    );
  });
  return h(
    "nav",
    { class: "sidebar", "aria-label": "Stories" },
    h("div", { class: "sidebar-head" }, beatSelect, h("button", { class: "btn small", "data-testid": "sources-admin", title: "Sources, fetch state and configuration", onclick: p.onSources }, "Sources")),
    h("div", { class: "sidebar-label" }, `Stories by signal (${p.stories.length})`),
    h("ol", { class: "story-list" }, items),
    usagePanel(p.usage),
  );
}
