//! The emoji set's words: a vocabulary built from the train split's names and keyword lists
//! knows the words of most held-out names (descriptions the generator never sees), and a
//! prompt of unknown words is refused naming near ones.

mod common;

use std::collections::BTreeMap;

use gan_data::metadata::{Match, Metadata, Scalar, Selection};
use gan_data::text::{PromptError, WordVocabulary, UNKNOWN};

#[test]
fn the_emoji_train_vocabulary_reads_held_out_names() {
    let Some((_, dir)) = common::emoji("twitter") else { return };
    let split = |s: &str| BTreeMap::from([("split".to_string(), Match::One(Scalar::Text(s.into())))]);
    let v = WordVocabulary::of_folder(&dir, &split("train"), &["text", "keywords"], 1).unwrap();
    let names_only = WordVocabulary::of_folder(&dir, &split("train"), &["text"], 1).unwrap();
    assert!(v.words.len() > names_only.words.len(), "keywords add words: {} vs {}", v.words.len(), names_only.words.len());
    for w in ["cat", "heart", "firefighter", "skin", "tone", "face"] {
        assert!(v.index(w).is_some(), "{w} is a training word");
    }
    // The held-out names' words: most are known (they compose known words in new ways).
    let m = Metadata::find(&dir).unwrap().unwrap();
    let held_out = m.select(&dir, Selection { filter: &split("test"), caption: Some("text"), ..Default::default() }).unwrap().captions.unwrap();
    let (mut known, mut all) = (0usize, 0usize);
    for caption in &held_out {
        for id in v.encode(caption).unwrap_or_else(|_| vec![UNKNOWN]) {
            all += 1;
            known += usize::from(id != UNKNOWN);
        }
    }
    assert!(known as f64 > 0.8 * all as f64, "{known} of {all} held-out words known");
    let e = v.encode("zzqx kittty").unwrap_err();
    assert!(matches!(&e, PromptError::Unknown { nearest, .. } if nearest.contains(&"kitty".to_string()) || nearest.contains(&"kitten".to_string())), "{e}");
    assert!(e.to_string().lines().count() == 1);
}
