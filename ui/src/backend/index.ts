// The only module that talks to Tauri. Everything else calls these typed
// functions, so the UI can be tested with a fake backend.
import { Channel, invoke } from "@tauri-apps/api/core";
import { openUrl } from "@tauri-apps/plugin-opener";
import type { AppSettings } from "../bindings/AppSettings";
import type { Beat } from "../bindings/Beat";
import type { StoreSettings } from "../bindings/StoreSettings";
import type { BeatUsage } from "../bindings/BeatUsage";
import type { DraftProgress } from "../bindings/DraftProgress";
import type { ModelInfo } from "../bindings/ModelInfo";
import type { IngestProgress } from "../bindings/IngestProgress";
import type { IngestSummary } from "../bindings/IngestSummary";
import type { SourceInfo } from "../bindings/SourceInfo";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { DocumentEdit } from "../bindings/DocumentEdit";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { ExportResult } from "../bindings/ExportResult";
import type { StorySummary } from "../bindings/StorySummary";
import type { StoryView } from "../bindings/StoryView";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { Attribution } from "../bindings/Attribution";
import type { Draft } from "../bindings/Draft";
import type { EditBuffer } from "../bindings/EditBuffer";
import type { RevisionDiff } from "../bindings/RevisionDiff";
import type { ExportOutcome } from "../bindings/ExportOutcome";
import type { ExportPlan } from "../bindings/ExportPlan";
import type { TargetExport } from "../bindings/TargetExport";
import type { TargetInfo } from "../bindings/TargetInfo";
import type { StoryDocument } from "../bindings/StoryDocument";
import type { StoryQuery } from "../bindings/StoryQuery";
import type { VerifyReport } from "../bindings/VerifyReport";

/** What a failed command rejects with. */
export interface IpcError {
  code: "not_found" | "invalid" | "no_evidence" | "model_failed" | "keychain_unavailable" | "stale_revision" | "verification_failed" | "error";
  message: string;
}

/** The IPC error code, or "error" for anything else thrown. */
export function errorCode(e: unknown): IpcError["code"] {
  if (e && typeof e === "object" && "code" in e) return (e as IpcError).code;
  return "error";
}

export function errorMessage(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) return String((e as IpcError).message);
  return String(e);
}

export const backend = {
  listBeats: () => invoke<Beat[]>("list_beats"),
  loadDemo: () => invoke<Beat[]>("load_demo"),
  listStories: (beatId: number) => invoke<StorySummary[]>("list_stories", { beatId }),
  getStory: (storyId: number) => invoke<StoryView>("get_story", { storyId }),
  /** A source's stored text: story views leave texts out. */
  recordText: (storyId: number, recordId: number) => invoke<string>("record_text", { storyId, recordId }),
  draftStory: (storyId: number, writer = "offline") => invoke<StoryView>("draft_story", { storyId, writer }),
  saveDocument: (storyId: number, edit: DocumentEdit) => invoke<StoryView>("save_document", { storyId, edit }),
  setRecordIncluded: (storyId: number, recordId: number, included: boolean, weight: number, editor: string) =>
    invoke<StoryView>("set_record_included", { storyId, recordId, included, weight, editor }),
  verifyStory: (storyId: number, revision: number | null) => invoke<VerifyReport>("verify_story", { storyId, revision }),
  verifyDocument: (storyId: number, document: StoryDocument) => invoke<VerifyReport>("verify_document", { storyId, document }),
  signOff: (storyId: number, editor: string, note: string | null, revision: number, overrideReason: string | null = null) =>
    invoke<StoryView>("sign_off", { storyId, editor, note, revision, overrideReason }),
  exportStory: (storyId: number, format: ExportFormat, editor: string) =>
    invoke<ExportResult>("export_story", { storyId, format, editor }),
  listModels: () => invoke<ModelInfo[]>("list_models"),
  addModel: (model: ModelInfo, apiKey: string | null) => invoke<ModelInfo[]>("add_model", { model, apiKey }),
  beatUsage: (beatId: number) => invoke<BeatUsage>("beat_usage", { beatId }),
  /** Drafts with a model; `onProgress` receives the text as it streams. */
  draftWithModel: (storyId: number, writer: string, onProgress: (p: DraftProgress) => void) => {
    const channel = new Channel<DraftProgress>();
    channel.onmessage = onProgress;
    return invoke<StoryView>("draft_with_model", { storyId, writer, onProgress: channel });
  },
  /** Regenerates section `section` (0-based), or the FAQ when it is null. */
  regenerate: (storyId: number, writer: string, section: number | null, onProgress: (p: DraftProgress) => void) => {
    const channel = new Channel<DraftProgress>();
    channel.onmessage = onProgress;
    return invoke<StoryView>("regenerate", { storyId, writer, section, onProgress: channel });
  },
  detectOllama: () => invoke<ModelInfo[]>("detect_ollama"),
  cancelDraft: (storyId: number) => invoke<boolean>("cancel_draft", { storyId }),
  listSources: (beatId: number) => invoke<SourceInfo[]>("list_sources", { beatId }),
  ingestBeat: (beatId: number, onProgress: (p: IngestProgress) => void) => {
    const channel = new Channel<IngestProgress>();
    channel.onmessage = onProgress;
    return invoke<IngestSummary>("ingest_beat", { beatId, onProgress: channel });
  },
  getBeatConfig: (beatId: number) => invoke<string>("get_beat_config", { beatId }),
  setBeatConfig: (beatId: number, config: string) => invoke<SourceInfo[]>("set_beat_config", { beatId, config }),
  addSource: (storyId: number, input: string, note: string | null, by: string) =>
    invoke<StoryView>("add_source", { storyId, input, note, by }),
  setAccount: (kind: "reddit" | "bluesky", id: string, secret: string) => invoke<void>("set_account", { kind, id, secret }),
  /** Progress of the background refresh, per source. */
  onIngestProgress: (f: (p: IngestProgress) => void): Promise<UnlistenFn> => listen<IngestProgress>("ingest-progress", (e) => f(e.payload)),
  /** The background refresh finished a beat. */
  onBeatUpdated: (f: (s: IngestSummary) => void): Promise<UnlistenFn> => listen<IngestSummary>("beat-updated", (e) => f(e.payload)),
  /** Another process changed the store (SQLite data_version, or PostgreSQL NOTIFY). */
  onStoreChanged: (f: () => void): Promise<UnlistenFn> => listen("beatdesk://store-changed", () => f()),
  getSettings: () => invoke<AppSettings>("get_settings"),
  setEditorName: (name: string) => invoke<AppSettings>("set_editor_name", { name }),
  getStoreSettings: () => invoke<StoreSettings>("get_store_settings"),
  setStoreAddress: (address: string | null) => invoke<StoreSettings>("set_store_address", { address }),
  // The review desk.
  createBeat: (name: string, config: string) => invoke<Beat[]>("create_beat", { name, config }),
  renameBeat: (beatId: number, name: string, editor: string) => invoke<Beat[]>("rename_beat", { beatId, name, editor }),
  removeBeat: (beatId: number, confirmName: string, editor: string) => invoke<Beat[]>("remove_beat", { beatId, confirmName, editor }),
  searchStories: (beatId: number, query: StoryQuery) => invoke<StorySummary[]>("search_stories", { beatId, query }),
  getRevision: (storyId: number, revision: number) => invoke<Draft>("get_revision", { storyId, revision }),
  compareRevisions: (storyId: number, from: number, to: number) => invoke<RevisionDiff>("compare_revisions", { storyId, from, to }),
  restoreRevision: (storyId: number, revision: number, baseRevision: number, editor: string) =>
    invoke<StoryView>("restore_revision", { storyId, revision, baseRevision, editor }),
  storyAudit: (storyId: number) => invoke<AuditEntry[]>("story_audit", { storyId }),
  spike: (storyId: number, editor: string, reason: string | null) => invoke<StoryView>("spike_story", { storyId, editor, reason }),
  unspike: (storyId: number, editor: string) => invoke<StoryView>("unspike_story", { storyId, editor }),
  keepEdit: (storyId: number, baseRevision: number, document: StoryDocument) => invoke<void>("keep_edit", { storyId, baseRevision, document }),
  editBuffer: (storyId: number) => invoke<EditBuffer | null>("edit_buffer", { storyId }),
  discardEdit: (storyId: number) => invoke<void>("discard_edit", { storyId }),
  removeCitations: (storyId: number, recordId: number, baseRevision: number, editor: string) =>
    invoke<StoryView>("remove_citations", { storyId, recordId, baseRevision, editor }),
  addAttributedSource: (storyId: number, input: string, note: string | null, attribution: Attribution, by: string) =>
    invoke<StoryView>("add_attributed_source", { storyId, input, note, attribution, by }),
  removeManualSource: (storyId: number, recordId: number, editor: string) => invoke<StoryView>("remove_manual_source", { storyId, recordId, editor }),
  // Correcting the clustering.
  moveRecord: (fromStoryId: number, recordId: number, toStoryId: number, editor: string) =>
    invoke<StoryView>("move_record", { fromStoryId, recordId, toStoryId, editor }),
  mergeStories: (intoStoryId: number, fromStoryId: number, editor: string) => invoke<StoryView>("merge_stories", { intoStoryId, fromStoryId, editor }),
  splitRecords: (storyId: number, recordIds: number[], editor: string) => invoke<StoryView>("split_records", { storyId, recordIds, editor }),
  listTargets: () => invoke<TargetInfo[]>("list_targets"),
  addTarget: (t: { name: string; kind: string; url: string; user: string | null; secret: string }, editor: string) =>
    invoke<TargetInfo>("add_target", { ...t, editor }),
  removeTarget: (name: string, editor: string) => invoke<TargetInfo[]>("remove_target", { name, editor }),
  checkTarget: (name: string) => invoke<string>("check_target", { name }),
  planExport: (storyId: number, target: string, status: string | null, tags: string[]) =>
    invoke<ExportPlan>("plan_export", { storyId, target, status, tags }),
  exportToTarget: (storyId: number, target: string, status: string | null, tags: string[], editor: string) =>
    invoke<ExportOutcome>("export_to_target", { storyId, target, status, tags, editor }),
  listTargetExports: (storyId: number) => invoke<TargetExport[]>("list_target_exports", { storyId }),
  /** Opens a source in the system browser; only http(s) URLs are allowed. */
  openExternal: (url: string) => (/^https?:\/\//i.test(url) ? openUrl(url) : Promise.resolve()),
};

export type Backend = typeof backend;
