//! Anchors on a hand-made beat: a rumour hours before the report and the
//! reporter's own follow-up call join the story through one of its records
//! (a shared name or the byline, and shared event words); the same company
//! in another event stays apart, and two lone posts sharing a name and one
//! word do not merge.

use beatdesk_analyze::{analyze, Analysis};
use beatdesk_types::{Metrics, Platform, Record, RecordStatus};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 12, 0, 0, 0).unwrap()
}

fn rec(id: i64, minutes: i64, platform: Platform, author: &str, title: &str, text: &str) -> Record {
    let at = t0() + Duration::minutes(minutes);
    Record {
        id,
        beat_id: 1,
        platform,
        external_id: id.to_string(),
        url: format!("https://site{id}.example.com/{id}"),
        canonical_url: format!("https://site{id}.example.com/{id}"),
        title: title.into(),
        text: text.into(),
        author: author.into(),
        community: None,
        published_at: at,
        fetched_at: at,
        metrics: Metrics {
            likes: Some(3 * id),
            ..Default::default()
        },
        status: RecordStatus::Kept,
        reason: None,
        duplicate_of: None,
        note: None,
        added_by: None,
    }
}

const REPORT: &str = "The aviation regulator is preparing an emergency directive that would ground Corvid D4 delivery drones after three battery fires at depots in Rotterdam and Lyon, according to two people familiar with the plans. Operators have been told to keep affected units out of service pending inspection, and would have to swap every battery pack at an approved service centre or repair shop. Corvid has told operators that about 2,400 drones could be affected. The directive could be published as soon as Friday, the people said. Corvid declined to comment. Service centres that repair battery packs are already booked for weeks, two operators said.";

/// A drone-delivery beat: the grounding story (a report at 10:00, a wire
/// copy, link shares, replies), a launch by the same company, noise.
fn beat() -> Vec<Record> {
    use Platform::*;
    vec![
        // Before the report.
        rec(1, 2 * 60, Bluesky, "rotorwatch.bsky.social", "", "Two operators tell me their D4 units were quietly pulled from service this week, 'pending inspection'. Something is coming out of the ministry soon 👀"),
        rec(2, 5 * 60, Reddit, "d4_or_bust", "Anyone else's D4 units suddenly 'pending inspection'?", "Our operator emailed this morning: all twelve of our D4 units are out of service 'pending inspection', no date given. They wouldn't say more. Anyone else seeing this?"),
        rec(3, 6 * 60, News, "Gearline", "Corvid D4 review, one year later: still the value pick for delivery fleets?", "Corvid D4 review, one year later: still the value pick for delivery fleets? Gearline"),
        // The report and what relays it.
        rec(10, 10 * 60, News, "Maya Lindqvist, Tomas Reyes", "Exclusive: regulator to ground Corvid D4 delivery drones over battery fires", REPORT),
        rec(11, 11 * 60, News, "Wire desk", "Regulator plans to ground Corvid D4 drones after battery fires -report", "The aviation regulator plans an emergency directive grounding Corvid D4 delivery drones after battery fires at depots in Rotterdam and Lyon, Skyline Ledger reported, citing people familiar with the plans. Operators would have to swap every battery pack before flying again."),
        rec(12, 11 * 60 + 20, Bluesky, "fleetnerd.bsky.social", "", "Regulator to ground Corvid D4 delivery drones over battery fires, per Skyline Ledger. 2,400 drones affected. Every battery pack swapped."),
        rec(13, 12 * 60, Reddit, "hangar_h", "Regulator to ground Corvid D4 drones over battery fires (Skyline Ledger)", "Directive would ground the D4 fleet until every battery pack is swapped at a service centre. Rotterdam and Lyon depots had fires."),
        rec(14, 12 * 60 + 30, Bluesky, "opsdesk.bsky.social", "", "If the D4 grounding directive lands Friday, every delivery operator on Corvid is scrambling for battery packs and service centre slots."),
        rec(15, 13 * 60, News, "Metro Business", "Corvid shares fall as regulator weighs D4 drone grounding", "Shares of Corvid fell 6% after Skyline Ledger reported that the aviation regulator is preparing to ground D4 delivery drones over battery fires. About 2,400 drones could be affected."),
        rec(16, 14 * 60, Bluesky, "quietprop.bsky.social", "", "Grounding 2,400 Corvid D4 drones over battery fires is going to hurt every delivery operator in Rotterdam and Lyon."),
        // The reporter's follow-up call, the next day.
        rec(20, 27 * 60, Bluesky, "tomasreyes.bsky.social", "", "Working on a follow-up about the directive and the repair shops. If you work at an operator or a service centre and want to talk, DMs are open, Signal in bio."),
        // The same company, another event.
        rec(30, 15 * 60, News, "Gearline", "Corvid unveils D6 cargo drone with a 25 kg payload", "Corvid unveiled the D6, a cargo drone that carries 25 kg over 40 km, at its developer day in Lyon. Deliveries to operators start in the autumn; the D6 uses a new hot-swappable battery tray."),
        rec(31, 15 * 60 + 30, Reddit, "cargo_fan", "Corvid D6 announced: 25 kg payload, 40 km range", "The D6 cargo drone from Corvid carries 25 kg over 40 km with a hot-swappable battery tray. Autumn deliveries."),
        rec(32, 16 * 60, Bluesky, "liftoff.bsky.social", "", "Corvid D6 with a 25 kg payload and 40 km range, unveiled at developer day. Cargo drone launch of the year?"),
    ]
    .into_iter()
    .chain(chatter())
    .collect()
}

/// Everyday chatter of the beat, so that words are as common as on a real one.
const CHATTER: [&str; 24] = [
    "Best beginner FPV kit under 300? Mostly flying in parks.",
    "Sunrise over the harbour from 120 m this morning, no wind at all.",
    "Which ND filters do you use for cinematic footage in bright snow?",
    "My gimbal drifts left after the firmware update, any fix?",
    "Finally passed the theory exam for the open category licence.",
    "Propeller guards: worth the weight on a small quad indoors?",
    "Lost signal behind a church tower, return-to-home saved the flight.",
    "Thermal camera survey of a solar farm, found six hot cells.",
    "Does anyone insure hobby drones against theft from a car?",
    "Night flight rules in the countryside, do I need strobes?",
    "Built my first 5 inch freestyle quad from a kit this weekend.",
    "Mapping a vineyard with photogrammetry, 400 images stitched.",
    "Cheap spare motors keep burning out after ten flights.",
    "Looking for a club near Utrecht with a proper indoor track.",
    "How cold is too cold for lithium cells on a winter shoot?",
    "Wedding videographer asking about stabilisation settings.",
    "Crashed into a tree, arm snapped, ordering carbon replacements.",
    "Firmware beta adds obstacle sensing on the rear arms.",
    "Bird attacked my quad at the beach, seagulls are ruthless.",
    "Range test over the lake reached four kilometres with clean video.",
    "Tips for smooth orbit shots around a lighthouse?",
    "The new controller sticks feel much better than the stock ones.",
    "Charging station organiser I printed for twelve batteries.",
    "Airspace app shows a temporary restriction over the stadium.",
];

fn chatter() -> Vec<Record> {
    CHATTER
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let platform = if i % 2 == 0 {
                Platform::Reddit
            } else {
                Platform::Bluesky
            };
            rec(
                100 + i as i64,
                60 * i as i64 + 7,
                platform,
                &format!("pilot{i}"),
                "",
                text,
            )
        })
        .collect()
}

fn story_of(a: &Analysis, id: i64) -> Option<usize> {
    a.stories.iter().position(|s| s.record_ids.contains(&id))
}

fn dump(a: &Analysis) -> Vec<&Vec<i64>> {
    a.stories.iter().map(|s| &s.record_ids).collect()
}

#[test]
fn a_rumour_before_the_report_and_the_reporters_call_join_the_story() {
    let a = analyze(&beat(), &[], t0() + Duration::hours(30));
    let story = story_of(&a, 10).expect("the report is in a story");
    for id in [11, 12, 13, 15] {
        assert_eq!(story_of(&a, id), Some(story), "relay {id}: {:?}", dump(&a));
    }
    assert_eq!(story_of(&a, 1), Some(story), "rumour 1: {:?}", dump(&a));
    assert_eq!(story_of(&a, 2), Some(story), "rumour 2: {:?}", dump(&a));
    assert_eq!(
        story_of(&a, 20),
        Some(story),
        "the reporter's call: {:?}",
        dump(&a)
    );
}

#[test]
fn the_same_company_in_another_event_stays_apart() {
    let a = analyze(&beat(), &[], t0() + Duration::hours(30));
    let story = story_of(&a, 10).expect("the report is in a story");
    let launch = story_of(&a, 30).expect("the launch is in a story");
    assert_ne!(story, launch, "{:?}", dump(&a));
    for id in [31, 32] {
        assert_eq!(
            story_of(&a, id),
            Some(launch),
            "launch {id}: {:?}",
            dump(&a)
        );
    }
    for id in [3, 100, 101, 106, 122] {
        assert_ne!(story_of(&a, id), Some(story), "{id} joined: {:?}", dump(&a));
        assert_ne!(
            story_of(&a, id),
            Some(launch),
            "{id} joined: {:?}",
            dump(&a)
        );
    }
}

#[test]
fn a_post_by_someone_else_than_the_reporter_needs_the_words() {
    // The same call from an account that wrote nothing in the story, and
    // with no name in common: no anchor, so it stays alone.
    let mut records = beat();
    let call = records.iter_mut().find(|r| r.id == 20).unwrap();
    call.author = "randomfan.bsky.social".into();
    let a = analyze(&records, &[], t0() + Duration::hours(30));
    assert_ne!(story_of(&a, 20), story_of(&a, 10), "{:?}", dump(&a));
}

#[test]
fn two_lone_posts_sharing_a_name_and_one_word_do_not_merge() {
    use Platform::*;
    let records = vec![
        rec(
            1,
            0,
            News,
            "Gearline",
            "Corvid D4 review, one year later: still the value pick?",
            "Corvid D4 review, one year later: still the value pick? Gearline",
        ),
        rec(
            2,
            90,
            Reddit,
            "d4_or_bust",
            "Anyone else's D4 order suddenly pending compliance review?",
            "Integrator says our D4 order is pending compliance review with no ETA.",
        ),
    ];
    let a = analyze(&records, &[], t0() + Duration::hours(3));
    assert_ne!(story_of(&a, 1), story_of(&a, 2), "{:?}", dump(&a));
}

#[test]
fn a_pointer_and_its_article_join_the_story_and_the_article_is_no_roundup() {
    use Platform::*;
    let mut records = beat();
    let head = "Corvid D4 grounding: what delivery operators must do before Friday";
    let mut pointer = rec(
        50,
        13 * 60 + 10,
        News,
        "Harbor Post",
        &format!("{head} - Harbor Post"),
        &format!("{head} Harbor Post"),
    );
    pointer.url = "https://news.google.com/rss/articles/CBMiXYZ?oc=5".into();
    pointer.canonical_url = pointer.url.clone();
    pointer.community = Some("Google News".into());
    let article = rec(51, 13 * 60 + 20, News, "Harbor Post", head, "Delivery operators flying Corvid D4 drones will have to keep units out of service pending inspection and swap every battery pack at an approved service centre once the regulator's emergency directive is published, expected on Friday. Operators in Rotterdam and Lyon, where the battery fires happened, said service centres are already booked for weeks. About 2,400 drones could be affected, Skyline Ledger reported.");
    records.extend([pointer, article]);
    let a = analyze(&records, &[], t0() + Duration::hours(30));
    let story = story_of(&a, 10).expect("the report is in a story");
    assert_eq!(story_of(&a, 51), Some(story), "the article: {:?}", dump(&a));
    assert_eq!(story_of(&a, 50), Some(story), "its pointer: {:?}", dump(&a));
    assert!(!a.stories[story].roundup);
}

#[test]
fn a_newsletter_linking_both_stories_stays_a_roundup() {
    let mut records = beat();
    records.push(rec(60, 18 * 60, Platform::News, "Drone Memo", "The Drone Memo: a grounding, a payload record and FPV deals", "This week: the regulator may ground D4 delivery drones after battery fires at the Rotterdam and Lyon depots. The new D6 cargo model carries a 25 kg payload over 40 km, unveiled at developer day. Plus our pick of beginner FPV kits."));
    let relations = [(60, 10), (60, 30)];
    let a = beatdesk_analyze::analyze_linked(
        &records,
        &[],
        &relations,
        t0() + Duration::hours(30),
        beatdesk_analyze::Config::default(),
    );
    let (story, launch) = (story_of(&a, 10), story_of(&a, 30));
    let memo = story_of(&a, 60).expect("in a story");
    assert!(
        Some(memo) != story && Some(memo) != launch,
        "{:?}",
        dump(&a)
    );
    assert_eq!(a.stories[memo].record_ids, vec![60]);
}
