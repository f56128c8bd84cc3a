import type { Beat } from "../bindings/Beat";
import type { BeatUsage } from "../bindings/BeatUsage";
import type { StoryQuery } from "../bindings/StoryQuery";
import type { StorySummary } from "../bindings/StorySummary";
import { h, sparkline } from "../dom";
import { usagePanel } from "./writers";

export interface SidebarProps {
  beats: Beat[];
  beatId: number | null;
  stories: StorySummary[];
  storyId: number | null;
  query: StoryQuery;
  /** How many stories are drawn; the rest wait behind "Show more". */
  limit: number;
  onMore: () => void;
  onBeat: (id: number) => void;
  onStory: (id: number) => void;
  /** Whether a source card being dragged may be dropped on this story. */
  canDrop: (storyId: number) => boolean;
  onDropRecord: (storyId: number) => void;
  onQuery: (q: StoryQuery) => void;
  usage: BeatUsage | null;
  onSources: () => void;
  onNewBeat: () => void;
  onRenameBeat: () => void;
  onRemoveBeat: () => void;
}

export const STATUS_LABEL: Record<string, string> = {
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

const PLATFORMS: [string, string][] = [
  ["reddit", "Reddit"],
  ["bluesky", "Bluesky"],
  ["news", "News"],
  ["web", "Web"],
  ["manual", "Manual"],
];

function filters(p: SidebarProps) {
  const q = p.query;
  return h(
    "div",
    { class: "filters" },
    h("input", {
      type: "search",
      class: "search",
      placeholder: "Search stories  ( / )",
      "aria-label": "Search stories",
      "data-testid": "story-search",
      value: q.text,
      oninput: (e) => p.onQuery({ ...q, text: (e.target as HTMLInputElement).value }),
    }),
    h(
      "div",
      { class: "filter-row" },
      h(
        "select",
        { "aria-label": "Filter by status", "data-testid": "filter-status", onchange: (e) => p.onQuery({ ...q, status: ((e.target as HTMLSelectElement).value || null) as StoryQuery["status"] }) },
        h("option", { value: "", selected: !q.status }, "Any status"),
        Object.entries(STATUS_LABEL).map(([v, l]) => h("option", { value: v, selected: q.status === v }, l)),
      ),
      h(
        "select",
        { "aria-label": "Filter by platform", "data-testid": "filter-platform", onchange: (e) => p.onQuery({ ...q, platform: ((e.target as HTMLSelectElement).value || null) as StoryQuery["platform"] }) },
        h("option", { value: "", selected: !q.platform }, "Any platform"),
        PLATFORMS.map(([v, l]) => h("option", { value: v, selected: q.platform === v }, l)),
      ),
      h(
        "select",
        { "aria-label": "Sort stories", "data-testid": "sort-stories", onchange: (e) => p.onQuery({ ...q, sort: (e.target as HTMLSelectElement).value as StoryQuery["sort"] }) },
        h("option", { value: "signal", selected: q.sort === "signal" }, "By signal"),
        h("option", { value: "time", selected: q.sort === "time" }, "Newest"),
        h("option", { value: "size", selected: q.sort === "size" }, "Most records"),
      ),
    ),
  );
}

export function sidebar(p: SidebarProps) {
  const beatSelect = h(
    "select",
    { class: "beat-select", "aria-label": "Beat", "data-testid": "beat-select", onchange: (e) => p.onBeat(Number((e.target as HTMLSelectElement).value)) },
    p.beats.map((b) => h("option", { value: b.id, selected: b.id === p.beatId }, `${b.name} · ${b.record_count} records`)),
  );
  const items = p.stories.slice(0, p.limit).map((s, i) => {
    const counts = s.signal.series.map((pt) => pt.records);
    return h(
      "li",
      { "data-key": s.id },
      h(
        "button",
        {
          class: `story-item${s.id === p.storyId ? " active" : ""}`,
          "data-testid": "story-item",
          "data-story-id": s.id,
          "aria-current": s.id === p.storyId ? "true" : "false",
          title: `Signal ${s.signal.total.toFixed(2)}: ${s.signal.why.join("; ")}`,
          onclick: () => p.onStory(s.id),
          ondragover: (e) => {
            if (!p.canDrop(s.id)) return;
            e.preventDefault();
            const d = (e as DragEvent).dataTransfer;
            if (d) d.dropEffect = "move";
            (e.currentTarget as HTMLElement).classList.add("drop-target");
          },
          ondragleave: (e) => (e.currentTarget as HTMLElement).classList.remove("drop-target"),
          ondrop: (e) => {
            e.preventDefault();
            (e.currentTarget as HTMLElement).classList.remove("drop-target");
            p.onDropRecord(s.id);
          },
        },
        h("span", { class: "rank" }, String(i + 1)),
        h(
          "span",
          { class: "story-main" },
          h("span", { class: "story-title", dir: "auto" }, s.title),
          h(
            "span",
            { class: "story-meta" },
            statusPill(s.status),
            h("span", {}, `${s.record_count} rec`),
            s.signal.independent_origins <= 1 ? h("span", { class: "warn-chip", title: "Only one independent origin: unconfirmed" }, "1 origin") : null,
            s.new_since_draft > 0 ? h("span", { class: "new-chip", title: "Records that joined after the latest draft" }, `+${s.new_since_draft} new`) : null,
          ),
        ),
        h("span", { class: "story-signal" }, h("strong", {}, s.signal.total.toFixed(1)), sparkline(counts)),
      ),
    );
  });
  const filtered = p.query.text.trim() !== "" || p.query.status !== null || p.query.platform !== null;
  return h(
    "nav",
    { class: "sidebar", "aria-label": "Stories", "data-key": "sidebar" },
    h(
      "div",
      { class: "sidebar-head" },
      beatSelect,
      h("button", { class: "btn small", "data-testid": "sources-admin", title: "Sources, fetch state and configuration", onclick: p.onSources }, "Sources"),
    ),
    h(
      "div",
      { class: "beat-actions" },
      h("button", { class: "link", "data-testid": "new-beat", onclick: p.onNewBeat }, "+ New beat"),
      h("button", { class: "link", "data-testid": "rename-beat", onclick: p.onRenameBeat }, "Rename"),
      h("button", { class: "link danger", "data-testid": "remove-beat", onclick: p.onRemoveBeat }, "Remove"),
    ),
    filters(p),
    h("div", { class: "sidebar-label" }, filtered ? `Matching stories (${p.stories.length})` : `Stories by ${p.query.sort === "signal" ? "signal" : p.query.sort === "time" ? "time" : "size"} (${p.stories.length})`),
    p.stories.length
      ? [
          h("ol", { class: "story-list", "data-testid": "story-list" }, items),
          p.stories.length > p.limit
            ? h("button", { class: "btn small more", "data-testid": "more-stories", onclick: p.onMore }, `Show ${Math.min(200, p.stories.length - p.limit)} more of ${p.stories.length - p.limit}`)
            : null,
        ]
      : h(
          "div",
          { class: "empty-list", "data-testid": "empty-list" },
          filtered
            ? [h("p", {}, "No story matches."), h("button", { class: "btn small", "data-testid": "clear-filters", onclick: () => p.onQuery({ text: "", status: null, platform: null, sort: p.query.sort }) }, "Clear search and filters")]
            : h("p", {}, "No stories yet. Open Sources to add the beat's feeds and fetch them, or import records with the command line."),
        ),
    usagePanel(p.usage),
  );
}
