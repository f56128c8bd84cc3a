//! How each verb prints: aligned text for people, JSON for scripts.

use beatdesk_core::{AnalysisReport, Beatdesk, CoreError, DemoReport, ImportReport};
use beatdesk_types::{AuditEntry, Beat, Draft, Record, SignOff, StorySummary, StoryView};
use serde::Serialize;
use serde_json::json;

pub fn print_json<T: Serialize + ?Sized>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).expect("serializable"));
}

fn clip(s: &str, n: usize) -> String {
    let s = s.replace(['\n', '\r', '\t'], " ");
    if s.chars().count() <= n {
        s
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub fn demo(r: &DemoReport, json: bool) {
    if json {
        return print_json(r);
    }
    println!(
        "demo beat {:?}: {} records read, {} new, {} updated, {} duplicates; {} stories, {} drafted",
        r.beat, r.import.read, r.import.new, r.import.updated, r.import.duplicates, r.stories, r.drafted
    );
}

pub fn beats(list: &[Beat], json: bool) {
    if json {
        return print_json(list);
    }
    for b in list {
        println!(
            "{:>4}  {:<30} {:>5} records {:>4} stories",
            b.id, b.name, b.record_count, b.story_count
        );
    }
}

pub fn import(r: &ImportReport, json: bool) {
    if json {
        return print_json(r);
    }
    println!(
        "{} read, {} new, {} updated, {} duplicates, {} relations, {} errors",
        r.read,
        r.new,
        r.updated,
        r.duplicates,
        r.links,
        r.errors.len()
    );
    for e in &r.errors {
        eprintln!("beatdesk: skipped {e}");
    }
}

pub fn analysis(r: &AnalysisReport, json: bool) {
    if json {
        return print_json(r);
    }
    // Whether only the new records were clustered (and how many stories
    // were re-ranked) is what a slow or fast run comes down to.
    let how = if r.incremental {
        format!("; incremental, {} re-ranked", r.resignalled)
    } else {
        "; full pass".to_string()
    };
    println!(
        "{} stories ({} new, {} retired{how})",
        r.stories, r.new_stories, r.retired
    );
}

pub fn records(list: &[Record], json: bool) {
    if json {
        return print_json(list);
    }
    for r in list {
        let status = match &r.reason {
            Some(why) => format!("{} ({})", r.status.as_str(), clip(why, 40)),
            None => r.status.as_str().to_string(),
        };
        println!(
            "{:>5}  {:<8} {:<16} {:<60} {}",
            r.id,
            r.platform.as_str(),
            r.published_at.format("%Y-%m-%d %H:%M"),
            clip(&r.title, 60),
            status
        );
    }
}

pub fn stories(app: &Beatdesk, list: &[StorySummary], json: bool) -> Result<(), CoreError> {
    if json {
        let mut out = Vec::new();
        for s in list {
            let records = app.story_records(s.id)?;
            out.push(json!({
                "id": s.id,
                "title": s.title,
                "status": s.status,
                "signal": s.signal,
                "independent_origins": s.signal.independent_origins,
                "record_count": s.record_count,
                "top_terms": s.top_terms,
                "new_since_draft": s.new_since_draft,
                "last_signoff": s.last_signoff,
                "records": records.iter().map(|r| json!({
                    "id": r.record.id,
                    "external_id": r.record.external_id,
                    "url": r.record.url,
                    "platform": r.record.platform,
                    "included": r.included,
                })).collect::<Vec<_>>(),
            }));
        }
        print_json(&out);
        return Ok(());
    }
    for s in list {
        println!(
            "{:>4}  {:>6.2}  {:<9} {:>3} rec  {}",
            s.id,
            s.signal.total,
            s.status.as_str(),
            s.record_count,
            clip(&s.title, 80)
        );
    }
    Ok(())
}

pub fn draft(d: &Draft, json: bool) {
    if json {
        return print_json(d);
    }
    println!(
        "story {} revision {} drafted by {}: {}",
        d.story_id,
        d.revision,
        d.author.name(),
        d.document.headline
    );
}

pub fn signoff(s: &SignOff, json: bool) {
    if json {
        return print_json(s);
    }
    println!(
        "story {} revision {} signed off by {} at {}",
        s.story_id,
        s.revision,
        s.editor,
        s.created_at.to_rfc3339()
    );
}

pub fn history(view: &StoryView, log: &[AuditEntry], json: bool) {
    if json {
        return print_json(
            &json!({ "revisions": view.history, "signoffs": view.signoffs, "audit": log }),
        );
    }
    for d in &view.history {
        println!(
            "r{:<3} {}  {:<7} {:<20} {}",
            d.revision,
            d.created_at.format("%Y-%m-%d %H:%M"),
            d.author.kind(),
            d.author.name(),
            clip(&d.headline, 60)
        );
    }
}
