/// Facts the methodology line is built from. Nothing in it is typed by a writer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MethodologyFacts {
    /// Unique records the draft was written from.
    pub records: usize,
    /// How many of those are fetched web pages cited by posts.
    pub web_citations: usize,
    /// Reporters' manual sources among them.
    pub manual_sources: usize,
    /// `offline writer` or the model's description.
    pub writer: String,
    /// "NAME on DATE" when an editor signed off.
    pub signed_off_by: Option<String>,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "Drafted by the offline writer from 20 source records · 3 web citations; pipeline Ingest → Analyze → Signal → Write."
pub fn methodology_line(f: &MethodologyFacts) -> String {
    let mut counts = vec![
        plural(f.records, "source record", "source records"),
        plural(f.web_citations, "web citation", "web citations"),
    ];
    if f.manual_sources > 0 {
        counts.push(plural(f.manual_sources, "manual source", "manual sources"));
    }
    let mut line = format!(
        "Drafted by the {} from {}; pipeline Ingest → Analyze → Signal → Write",
        f.writer,
        counts.join(" · ")
    );
    match &f.signed_off_by {
        Some(who) => line.push_str(&format!(" → Review. Signed off by {who}.")),
        None => line.push_str(". Not yet reviewed by an editor."),
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_is_built_from_counts_and_review_state() {
        let mut f = MethodologyFacts {
            records: 20,
            web_citations: 3,
            writer: "offline writer".into(),
            ..Default::default()
        };
        assert_eq!(
            methodology_line(&f),
            "Drafted by the offline writer from 20 source records · 3 web citations; pipeline Ingest → Analyze → Signal → Write. Not yet reviewed by an editor."
        );
        f.records = 1;
        f.web_citations = 1;
        f.manual_sources = 2;
        f.signed_off_by = Some("Ana Ruiz on 2026-11-29".into());
        assert_eq!(
            methodology_line(&f),
            "Drafted by the offline writer from 1 source record · 1 web citation · 2 manual sources; pipeline Ingest → Analyze → Signal → Write → Review. Signed off by Ana Ruiz on 2026-11-29."
        );
    }
}
