//! Property tests of the configuration loader: arbitrary text, and valid documents with one
//! value replaced by an arbitrary one, are loaded or refused with a message naming the
//! source; never a panic.

use gan::TrainConfig;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn from_env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    // A fixed seed: the same cases on every run of `make test`; `make fuzz` sets
    // GAN_FUZZ_CASES and GAN_FUZZ_SEED for a longer, different search.
    #![proptest_config(ProptestConfig { cases: from_env("GAN_FUZZ_CASES", 1000) as u32, rng_seed: RngSeed::Fixed(from_env("GAN_FUZZ_SEED", 16)), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_is_loaded_or_refused(text in "\\PC{0,200}") {
        if let Err(e) = TrainConfig::from_toml_str(&text, "fuzz.toml") {
            prop_assert!(e.to_string().starts_with("fuzz.toml"), "{}", e);
        }
        let _ = TrainConfig::default().overlay_toml(&text, "fuzz.toml");
    }

    /// The default document with the value of one line replaced: a bad value is named.
    #[test]
    fn a_valid_document_with_one_value_replaced(line in 0usize..60, value in prop_oneof![
        Just("-1".to_string()), Just("0".to_string()), Just("1e400".to_string()), Just("nan".to_string()),
        Just("\"\"".to_string()), Just("[]".to_string()), Just("9223372036854775807".to_string()), "[a-z-]{1,12}".prop_map(|s| format!("\"{s}\"")),
    ]) {
        let doc = TrainConfig::default().to_toml();
        let lines: Vec<String> = doc.lines().enumerate().map(|(i, l)| match (i == line, l.split_once(" = ")) {
            (true, Some((k, _))) => format!("{k} = {value}"),
            _ => l.to_string(),
        }).collect();
        match TrainConfig::from_toml_str(&lines.join("\n"), "one.toml") {
            Ok(c) => prop_assert!(c.problems().is_empty()),
            Err(e) => prop_assert!(e.to_string().starts_with("one.toml"), "{}", e),
        }
    }
}
