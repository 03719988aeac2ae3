//! Words of captions and keywords, for text-conditioned runs (StackGAN, Zhang et al. 2017;
//! AttnGAN's DAMSM, Xu et al. 2018, both tokenise their captions into a vocabulary built from
//! the training captions): lower case, split at everything that is not a letter or a digit,
//! the vocabulary built from a data set's training captions and keyword lists and stored with
//! the run, so that a prompt means at sampling what it meant in training.
//!
//! A prompt whose words are all unknown (or that has no words) is refused in one line that
//! lists the nearest known words (edit distance), so that "kitty" points to "kitten".

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};
use crate::metadata::{Match, Metadata, Selection};

/// Index of padding (0) and of a word the vocabulary does not know (1).
pub const PAD: i64 = 0;
pub const UNKNOWN: i64 = 1;

/// How many nearest known words a refusal lists.
const NEAREST: usize = 3;

/// The words of `text`: lower case, split at every character that is not alphanumeric
/// ("woman firefighter: dark skin tone" -> woman, firefighter, dark, skin, tone).
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// A prompt the vocabulary cannot read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PromptError {
    #[error("the prompt is empty: give words such as \"cat face\" or keywords such as cat,heart")]
    Empty,
    #[error("no word of the prompt \"{prompt}\" is in the run's vocabulary of {size} words; nearest known: {}", nearest.join(", "))]
    Unknown { prompt: String, size: usize, nearest: Vec<String> },
}

/// The words a run knows, most frequent first (ties alphabetically); index `i + 2` is
/// `words[i]` (0 and 1 are [`PAD`] and [`UNKNOWN`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordVocabulary {
    pub words: Vec<String>,
}

impl WordVocabulary {
    /// The vocabulary of `texts` (captions, keyword lists joined by spaces): every word that
    /// occurs at least `min_count` times.
    pub fn build<'a>(texts: impl IntoIterator<Item = &'a str>, min_count: usize) -> Self {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for t in texts {
            for w in tokenize(t) {
                *counts.entry(w).or_default() += 1;
            }
        }
        let mut words: Vec<(String, usize)> = counts.into_iter().filter(|(_, c)| *c >= min_count.max(1)).collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Self { words: words.into_iter().map(|(w, _)| w).collect() }
    }

    /// The vocabulary of an image folder's captions (`caption_fields`, e.g. `text` and
    /// `keywords`; a list field's items are words) over the rows `filter` chooses (the
    /// training split).
    pub fn of_folder(dir: &Path, filter: &BTreeMap<String, Match>, caption_fields: &[&str], min_count: usize) -> Result<Self> {
        let md = Metadata::find(dir)?
            .ok_or_else(|| DataError::Invalid { name: dir.display().to_string(), reason: "no metadata.jsonl or metadata.csv with captions".into() })?;
        let mut texts = Vec::new();
        for field in caption_fields {
            let sel = md.select(dir, Selection { filter, caption: Some(field), ..Selection::default() })?;
            texts.extend(sel.captions.unwrap_or_default());
        }
        Ok(Self::build(texts.iter().map(String::as_str), min_count))
    }

    /// Indices with padding and the unknown word: `len() + 2`.
    pub fn size(&self) -> usize {
        self.words.len() + 2
    }

    pub fn index(&self, word: &str) -> Option<i64> {
        self.words.iter().position(|w| w == word).map(|i| i as i64 + 2)
    }

    /// The indices of `prompt`'s words ([`UNKNOWN`] for a word the vocabulary lacks), refused
    /// when it has no word or no known one.
    pub fn encode(&self, prompt: &str) -> std::result::Result<Vec<i64>, PromptError> {
        let words = tokenize(prompt);
        if words.is_empty() {
            return Err(PromptError::Empty);
        }
        let ids: Vec<i64> = words.iter().map(|w| self.index(w).unwrap_or(UNKNOWN)).collect();
        if ids.iter().all(|&i| i == UNKNOWN) {
            let nearest = self.nearest(&words);
            return Err(PromptError::Unknown { prompt: prompt.trim().to_string(), size: self.words.len(), nearest });
        }
        Ok(ids)
    }

    /// A keyword list (`cat,heart,love`) as one prompt.
    pub fn encode_keywords(&self, keywords: &[String]) -> std::result::Result<Vec<i64>, PromptError> {
        self.encode(&keywords.join(" "))
    }

    /// The known words nearest to any of `words` by edit distance (more frequent first on
    /// ties).
    fn nearest(&self, words: &[String]) -> Vec<String> {
        let mut scored: Vec<(usize, usize, &String)> =
            self.words.iter().enumerate().map(|(rank, k)| (words.iter().map(|w| edit_distance(w, k)).min().unwrap_or(usize::MAX), rank, k)).collect();
        scored.sort();
        scored.into_iter().take(NEAREST).map(|(_, _, k)| k.clone()).collect()
    }
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diag + usize::from(ca != cb));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_split_into_lower_case_words() {
        assert_eq!(tokenize("Woman Firefighter: dark skin tone"), ["woman", "firefighter", "dark", "skin", "tone"]);
        assert_eq!(tokenize("  o’clock, 12-30!  "), ["o", "clock", "12", "30"]);
        assert!(tokenize(" ,;: ").is_empty());
    }

    #[test]
    fn the_vocabulary_orders_by_frequency_then_alphabet_and_keeps_frequent_words() {
        let v = WordVocabulary::build(["cat face", "smiling cat", "dog face", "cat"], 1);
        assert_eq!(v.words, ["cat", "face", "dog", "smiling"]);
        assert_eq!((v.index("cat"), v.index("smiling"), v.index("cow")), (Some(2), Some(5), None));
        assert_eq!(v.size(), 6);
        assert_eq!(WordVocabulary::build(["cat face", "smiling cat", "dog face", "cat"], 2).words, ["cat", "face"]);
    }

    #[test]
    fn prompts_encode_and_unknown_ones_name_the_nearest_words() {
        let v = WordVocabulary::build(["cat face", "kitten", "crying cat face", "heart"], 1);
        assert_eq!(v.encode("Crying CAT!").unwrap(), vec![v.index("crying").unwrap(), v.index("cat").unwrap()]);
        assert_eq!(v.encode("cat zebra").unwrap(), vec![v.index("cat").unwrap(), UNKNOWN]);
        assert_eq!(v.encode_keywords(&["heart".into(), "cat".into()]).unwrap(), vec![v.index("heart").unwrap(), v.index("cat").unwrap()]);
        assert_eq!(v.encode("  "), Err(PromptError::Empty));
        // Edit distances from "kitty": kitten 2, cat 4, face 5, heart 5 (face is more
        // frequent), crying 6.
        let e = v.encode("kitty").unwrap_err();
        assert_eq!(e, PromptError::Unknown { prompt: "kitty".into(), size: 5, nearest: vec!["kitten".into(), "cat".into(), "face".into()] });
        assert_eq!(e.to_string(), "no word of the prompt \"kitty\" is in the run's vocabulary of 5 words; nearest known: kitten, cat, face");
    }

    #[test]
    fn edit_distance_by_hand() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("flaw", "lawn"), 2);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
