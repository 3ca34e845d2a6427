//! The page's languages: the Simplified Chinese catalogue (`public/locales/zh-CN.json`) has every key of
//! the English one, in order, with the same placeholders; it reads as Chinese (no run of three English
//! words outside Kafka's names); and every event a real run emits is written in both languages.
// Native only: these drive the core and the CLI on the host (tests/web.rs is the browser suite).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use kafka_sim::markup::events::sentence;
use kafka_sim::messages::{self, fill, t, Locale, Msg};
use kafka_sim::sim::golden::scenario_text;

const EN: &str = include_str!("../public/locales/en.json");
const ZH: &str = include_str!("../public/locales/zh-CN.json");

/// Words of Kafka's (or the simulator's) own that may stand in Chinese text, where a run of English words
/// would otherwise be flagged: values of Kafka settings and API names written as words.
const KAFKA_WORDS: &[&str] = &[
    "acks",
    "all",
    "none",
    "earliest",
    "latest",
    "reset",
    "null",
    "true",
    "false",
    "range",
    "roundrobin",
    "sticky",
    "cooperative",
    "eager",
    "Broker",
    "broker",
    "poll",
    "send",
    "close",
    "commitSync",
    "ms",
    "MiB",
    "s",
    "kafka",
    "sim",
];

/// Runs of three or more English words (not Kafka names) in `text`, for the check that Chinese text
/// reads as Chinese. A word is a token of ASCII letters only, not all capitals (ISR, HW, LEO) and with
/// no capital inside (PreparingRebalance, NotEnoughReplicasException); dotted, dashed and underscored
/// names (max.poll.records, kafka-consumer-groups.sh, user_1) are not words.
fn english_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    // A run never crosses a Chinese character.
    for segment in text.split(|c: char| !c.is_ascii()) {
        let mut run: Vec<&str> = Vec::new();
        for token in segment.split_whitespace().chain([""]) {
            let word = token.trim_matches(|c: char| "()[]{}:;,.!?\"'=".contains(c));
            let is_word = !word.is_empty()
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && word.chars().skip(1).all(|c| c.is_ascii_lowercase())
                && !KAFKA_WORDS.contains(&word);
            if is_word {
                run.push(word);
            } else {
                if run.len() >= 3 {
                    runs.push(run.join(" "));
                }
                run.clear();
            }
        }
    }
    runs
}

fn install_zh() {
    messages::install(Locale::ZhCn, ZH).expect("the zh-CN catalogue installs");
}

#[test]
fn the_catalogues_have_every_key_in_order_with_the_same_placeholders() {
    let english = messages::parse_catalogue(EN).expect("valid JSON");
    messages::check_catalogue(&english, &english).expect("English complete");
    let entries = messages::parse_catalogue(ZH).expect("valid JSON");
    messages::check_catalogue(&entries, &english).expect("Chinese complete");
    assert_eq!(entries.len(), Msg::ALL.len());
    // A missing key, a stray one, a key out of order or a lost placeholder is refused.
    let mut missing = entries.clone();
    missing.pop();
    assert!(messages::check_catalogue(&missing, &english).is_err());
    let mut swapped = entries.clone();
    swapped.swap(0, 1);
    assert!(messages::check_catalogue(&swapped, &english).is_err());
    let mut lost = entries.clone();
    let templated = lost
        .iter()
        .position(|(_, text)| text.contains('{'))
        .unwrap();
    lost[templated].1 = "没有占位符".into();
    assert!(messages::check_catalogue(&lost, &english).is_err());
}

#[test]
fn chinese_text_has_no_run_of_three_english_words() {
    assert_eq!(
        english_runs("the quick brown fox"),
        vec!["the quick brown fox"]
    );
    assert!(english_runs("消费者组 max.poll.records（每次 poll 最多返回的消息数）").is_empty());
    assert!(english_runs("NotEnoughReplicasException 同步副本 ISR HW LEO").is_empty());
    for (id, text) in messages::parse_catalogue(ZH).unwrap() {
        let runs = english_runs(&text);
        assert!(runs.is_empty(), "{id}: {text:?} has English runs {runs:?}");
    }
}

#[test]
fn every_event_of_a_run_reads_in_both_languages() {
    install_zh();
    let mut events = Vec::new();
    for name in [
        "order-service",
        "acks-and-leader-crash",
        "slow-consumer-rebalance",
    ] {
        let mut sim = support::sim(scenario_text(name));
        sim.set_record_events(true);
        sim.set_trace_capacity(usize::MAX);
        sim.advance_to(120_000_000);
        events.extend(sim.events_since(0).0);
    }
    let mut kinds = std::collections::BTreeSet::new();
    for event in &events {
        kinds.insert(event.kind.type_name());
        for locale in [Locale::En, Locale::ZhCn] {
            messages::set_locale(locale);
            let text = sentence(&event.kind);
            assert!(
                !text.contains('{') && !text.contains('}'),
                "{locale:?}: unfilled placeholder in {text:?}"
            );
            if locale == Locale::ZhCn {
                let runs = english_runs(&text);
                assert!(runs.is_empty(), "{text:?}: {runs:?}");
                assert!(!text.is_ascii(), "not Chinese: {text:?}");
            }
        }
    }
    messages::set_locale(Locale::En);
    assert!(kinds.len() >= 20, "{} kinds: {kinds:?}", kinds.len());
}

#[test]
fn the_language_follows_the_browser_and_falls_back_to_english() {
    assert_eq!(Locale::from_browser("zh"), Locale::ZhCn);
    assert_eq!(Locale::from_browser("zh-TW"), Locale::ZhCn);
    assert_eq!(Locale::from_browser("ZH-cn"), Locale::ZhCn);
    assert_eq!(Locale::from_browser("en-US"), Locale::En);
    assert_eq!(Locale::from_browser("fr"), Locale::En);
    assert_eq!(Locale::from_browser(""), Locale::En);
    assert_eq!(Locale::from_tag("zh-cn"), Some(Locale::ZhCn));
    assert_eq!(Locale::from_tag("de"), None);
    // A language whose catalogue is not loaded shows English.
    messages::set_locale(Locale::ZhCn);
    let shown = t(Msg::Play);
    messages::set_locale(Locale::En);
    assert!(shown == "Play" || messages::is_loaded(Locale::ZhCn));
}

#[test]
fn templates_fill_their_named_fields_in_any_order() {
    assert_eq!(fill("{b} 和 {a}", &[("a", &1), ("b", &"二")]), "二 和 1");
    assert_eq!(fill("{unknown} {a}", &[("a", &1)]), "{unknown} 1");
    assert_eq!(fill("no fields", &[]), "no fields");
}

#[test]
fn every_input_problem_reads_in_both_languages() {
    use kafka_sim::markup::events::{input_error, problem_key};
    use kafka_sim::sim::config::Code;
    install_zh();
    messages::set_locale(Locale::En);
    // The English catalogue's template of every code is the core's own (the CLI's text).
    for code in Code::ALL {
        assert_eq!(t(problem_key(*code)), code.english(), "{code:?}");
    }
    // Real errors from bad scenarios, commands and links: English as before, and Chinese with no run of
    // English words.
    let bad = [
        r#"{"version": 2, "cluster": {"brokers": 3}, "topics": []}"#,
        r#"{"version": 1, "cluster": {"brokers": 99}, "topics": [{"name": "t", "partitions": 1, "replication_factor": 1}]}"#,
        r#"{"version": 1, "cluster": {"brokers": 3}, "topics": [{"name": "t", "partitions": 1, "replication_factor": 5}]}"#,
        r#"{"version": 1, "cluster": {"brokers": 3}, "topics": [{"name": "t t", "partitions": 1, "replication_factor": 1}]}"#,
        r#"{"version": 1, "cluster": {"brokers": 3}, "topics": [{"name": "t", "partitions": 1, "replication_factor": 1, "config": {"min.insync.replicas": "x"}}]}"#,
        r#"{"version": 1, "cluster": {"brokers": 3}, "topics": [{"name": "t", "partitions": 1, "replication_factor": 1, "config": {"no.such.thing": "1"}}]}"#,
    ];
    let mut errors: Vec<_> = bad.iter().map(|text| support::refused(text)).collect();
    errors.push(kafka_sim::share::link_locale("#lang=xx").unwrap_err());
    errors.push(kafka_sim::share::decode_fragment("#s=%%%").unwrap_err());
    let mut sim = support::sim(scenario_text("order-service"));
    errors.push(
        sim.apply(kafka_sim::sim::Command::CrashConsumer {
            group: "nope".into(),
            member: "m".into(),
        })
        .unwrap_err(),
    );
    for error in &errors {
        assert!(error.problem.is_some(), "{error} has a code");
        messages::set_locale(Locale::En);
        assert_eq!(
            input_error(error),
            error.to_string(),
            "English as the CLI writes it"
        );
        messages::set_locale(Locale::ZhCn);
        let chinese = input_error(error);
        assert!(!chinese.is_ascii(), "{chinese}");
        let runs = english_runs(&chinese);
        assert!(runs.is_empty(), "{chinese}: {runs:?}");
    }
    messages::set_locale(Locale::En);
}

#[test]
fn a_restarted_members_previous_process_is_named_in_the_readers_language() {
    use kafka_sim::sim::event::{EventKind, Reason};
    install_zh();
    let left = EventKind::ConsumerLeft {
        group: "g".into(),
        member: "c-1 (previous process)".into(),
        reason: Reason::SessionTimeoutExpired,
        previous_process: true,
    };
    messages::set_locale(Locale::ZhCn);
    let chinese = sentence(&left);
    messages::set_locale(Locale::En);
    let english = sentence(&left);
    assert!(
        chinese.contains("c-1") && !chinese.contains("previous"),
        "{chinese}"
    );
    assert!(english.contains("c-1 (previous process)"), "{english}");
}
