//! Tests of the scanner.

use super::case::case_of_chars;
use super::*;

#[derive(Default)]
struct Collect {
    words: Vec<String>,
    ents: Vec<String>,
}
impl Sink for Collect {
    fn word(&mut self, w: &str) {
        self.words.push(w.to_string());
    }
    fn entity(&mut self, e: &str) {
        self.ents.push(e.to_string());
    }
}

fn run(t: &str) -> Collect {
    let mut c = Collect::default();
    scan(t, false, &mut c);
    c
}

#[test]
fn special_tokens() {
    let c = run("Big news: DeepSeek raised $7.4 billion, see https://www.example.com/a/b?x=1 via @bob.bsky.social in r/LocalLLaMA");
    for e in [
        "deepseek",
        "$7.4b",
        "example.com",
        "example.com/a/b",
        "@bob",
        "r/localllama",
    ] {
        assert!(
            c.ents.contains(&e.to_string()),
            "{e} missing from {:?}",
            c.ents
        );
    }
    assert!(
        !c.ents.contains(&"big".to_string()),
        "sentence-initial word is not an entity"
    );
    assert!(c.words.contains(&"raised".to_string()));
    assert!(!c.words.contains(&"the".to_string()));
}

#[test]
fn versions_and_units() {
    let a = run("We tried Qwen 3.5 at 4-bit, and the 92% hit rate");
    let b = run("we tried Qwen3.5 today");
    assert!(a.ents.contains(&"qwen3.5".to_string()), "{:?}", a.ents);
    assert!(b.ents.contains(&"qwen3.5".to_string()), "{:?}", b.ents);
    assert!(
        a.ents.contains(&"4bit".to_string()) && a.ents.contains(&"92%".to_string()),
        "{:?}",
        a.ents
    );
    assert!(b.words.contains(&"qwen".to_string()) && b.words.contains(&"3.5".to_string()));
}

#[test]
fn amounts_have_one_form_however_written() {
    for t in [
        "orders worth $4.6 billion",
        "about $4.6B of orders",
        "roughly 4.6bn in orders",
        "US$4,600,000,000 of accelerators",
        "4.6 billion dollars of chips",
        "保留中の受注は約46億ドル。",
    ] {
        let c = run(t);
        assert!(c.ents.contains(&"$4.6b".to_string()), "{t}: {:?}", c.ents);
    }
    // A number ten times off is another number; a model size is not money.
    assert!(run("lost $46 billion").ents.contains(&"$46b".to_string()));
    assert!(run("a 70B model").ents.contains(&"70b".to_string()));
}

#[test]
fn cjk_bigrams_and_hashtags() {
    let c = run("米商務省、AIアクセラレータの輸出許可 Kestrel #AIチップ #ExportControls #aichips");
    assert!(c.words.contains(&"輸出".to_string()), "{:?}", c.words);
    assert!(c.words.contains(&"商務".to_string()), "{:?}", c.words);
    assert!(c.ents.contains(&"kestrel".to_string()), "{:?}", c.ents);
    assert!(
        c.ents.contains(&"#exportcontrols".to_string()),
        "{:?}",
        c.ents
    );
    assert!(c.ents.contains(&"#aichips".to_string()), "{:?}", c.ents);
    assert!(
        c.words.contains(&"export".to_string()) && c.words.contains(&"controls".to_string()),
        "{:?}",
        c.words
    );
    assert!(
        c.words.contains(&"チッ".to_string()),
        "CJK in a tag: {:?}",
        c.words
    );
}

#[test]
fn title_case_detection() {
    assert!(is_title_case(
        "DeepSeek Raises $7.4 Billion From Tencent And CATL"
    ));
    assert!(!is_title_case(
        "DeepSeek raises $7.4 billion from Tencent and CATL"
    ));
}

/// The slower form `trim_punct` replaced.
fn trim_punct_chars(s: &str) -> &str {
    s.trim_matches(|c: char| {
        matches!(
            c,
            '.' | ','
                | ';'
                | ':'
                | '!'
                | '?'
                | '"'
                | '\''
                | '('
                | ')'
                | '['
                | ']'
                | '<'
                | '>'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '*'
                | '_'
        )
    })
}

#[test]
fn trim_punct_matches_trimming_by_chars() {
    let pieces = [
        "a", "é", ".", ",", "\"", "'", "“", "”", "‘", "’", "—", "(", "]", "*", "_", "x’s", "€",
    ];
    let mut rng = crate::synth::Rng::new(9);
    for _ in 0..20_000 {
        let len = rng.below(7);
        let t: String = (0..len).map(|_| pieces[rng.below(pieces.len())]).collect();
        assert_eq!(trim_punct(&t), trim_punct_chars(&t), "{t:?}");
    }
}

#[test]
fn ascii_case_matches_case_by_chars() {
    let alphabet = b"aZ9.-'_xQ0";
    let mut rng = crate::synth::Rng::new(13);
    for _ in 0..20_000 {
        let len = rng.below(9);
        let w: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())] as char)
            .collect();
        assert_eq!(case_of_ascii(w.as_bytes()), case_of_chars(&w), "{w:?}");
    }
}
