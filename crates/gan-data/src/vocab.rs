//! Class vocabularies: the names a data set's labels stand for, so that people can ask for
//! "ankle boot" or "seven" instead of a label number.
//!
//! Matching is case-insensitive and forgiving: aliases ("tee", "sneakers", "pants"), plural
//! forms, and prompts naming several classes ("sneaker, bag", "ankle boot and dress", "3 7").
//! An unknown word is an error that lists the nearest known names.

use serde::{Deserialize, Serialize};

/// One class: its display name and the other words that mean it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassName {
    pub name: String,
    pub aliases: Vec<String>,
}

/// The class names of a labelled data set, indexed by label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vocabulary {
    pub classes: Vec<ClassName>,
}

/// Why a prompt could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabError {
    #[error("unknown class `{word}`; nearest known: {}", .nearest.join(", "))]
    Unknown { word: String, nearest: Vec<String> },
    #[error("the prompt names no class; known: {}", .known.join(", "))]
    Empty { known: Vec<String> },
}

/// The class vocabularies the toolkit knows by name (`classes = "fashion-mnist"` in `[data]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClassSet {
    /// Digits 0-9, by numeral or word.
    Mnist,
    /// Fashion-MNIST's ten garment classes.
    FashionMnist,
    /// CIFAR-10's ten object classes.
    Cifar10,
}

impl ClassSet {
    pub fn vocabulary(self) -> Vocabulary {
        match self {
            ClassSet::Mnist => Vocabulary::mnist(),
            ClassSet::FashionMnist => Vocabulary::fashion_mnist(),
            ClassSet::Cifar10 => Vocabulary::cifar10(),
        }
    }

    pub fn name(self) -> &'static str {
        crate::names::serde_name(&self)
    }
}

fn class(name: &str, aliases: &[&str]) -> ClassName {
    ClassName { name: name.into(), aliases: aliases.iter().map(|s| s.to_string()).collect() }
}

const DIGIT_WORDS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

impl Vocabulary {
    /// MNIST: digits by numeral or word ("7", "seven").
    pub fn mnist() -> Self {
        let classes = DIGIT_WORDS.iter().enumerate().map(|(d, w)| class(&d.to_string(), &[w])).collect();
        Self { classes }
    }

    /// Fashion-MNIST's ten classes (Xiao, Rasul & Vollgraf 2017) with everyday synonyms.
    pub fn fashion_mnist() -> Self {
        let classes = vec![
            class("T-shirt/top", &["t-shirt", "tshirt", "t shirt", "tee", "tee shirt", "top"]),
            class("Trouser", &["trousers", "pants", "jeans", "slacks"]),
            class("Pullover", &["sweater", "jumper", "sweatshirt", "hoodie"]),
            class("Dress", &["gown", "frock"]),
            class("Coat", &["jacket", "parka", "overcoat"]),
            class("Sandal", &["flip flop", "flip-flop", "slide"]),
            class("Shirt", &["blouse", "button-down", "button down"]),
            class("Sneaker", &["trainer", "running shoe", "tennis shoe", "shoe"]),
            class("Bag", &["handbag", "purse", "tote", "backpack"]),
            class("Ankle boot", &["boot", "bootie", "ankle-boot"]),
        ];
        Self { classes }
    }

    /// CIFAR-10's ten classes (Krizhevsky 2009) with everyday synonyms.
    pub fn cifar10() -> Self {
        let aliases: [&[&str]; 10] = [
            &["plane", "aeroplane", "jet", "aircraft"],
            &["car", "auto", "sedan"],
            &["birds"],
            &["kitten", "kitty"],
            &["stag", "fawn"],
            &["puppy", "doggy"],
            &["toad"],
            &["pony", "horses"],
            &["boat"],
            &["lorry", "pickup"],
        ];
        let classes = crate::cifar::CLASSES.iter().zip(aliases).map(|(n, a)| class(n, a)).collect();
        Self { classes }
    }

    /// Classes known only by their label numbers ("0" .. "k-1"), for labelled data without
    /// a named vocabulary.
    /// Classes called `names` (an image folder's label values), without aliases.
    pub fn named(names: &[String]) -> Self {
        Self { classes: names.iter().map(|n| class(n, &[])).collect() }
    }

    pub fn numbered(k: usize) -> Self {
        Self { classes: (0..k).map(|i| class(&i.to_string(), &[])).collect() }
    }

    /// The first `k` classes.
    pub fn truncated(mut self, k: usize) -> Self {
        self.classes.truncate(k);
        self
    }

    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// The display name of class `label`.
    pub fn name(&self, label: usize) -> &str {
        &self.classes[label].name
    }

    /// Every spelling of every class, normalised, with its label.
    fn spellings(&self) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        for (i, c) in self.classes.iter().enumerate() {
            for s in std::iter::once(&c.name).chain(&c.aliases) {
                out.push((normalise(s), i));
            }
        }
        out
    }

    /// The class one word or phrase names ("Ankle boots" -> 9).
    pub fn lookup(&self, word: &str) -> Result<usize, VocabError> {
        let w = normalise(word);
        let spellings = self.spellings();
        find(&w, &spellings).ok_or_else(|| self.unknown(&w, &spellings))
    }

    /// The classes a prompt names, in order: separated by commas, "and", "+", "&" or
    /// spaces, multi-word names matched greedily ("ankle boot, bag" -> [9, 8]).
    pub fn parse_prompt(&self, prompt: &str) -> Result<Vec<usize>, VocabError> {
        let cleaned: String = prompt.chars().map(|c| if ",;+&|".contains(c) { ' ' } else { c }).collect();
        let words: Vec<String> = cleaned.split_whitespace().map(normalise).filter(|w| !matches!(w.as_str(), "and" | "a" | "an")).collect();
        let spellings = self.spellings();
        let mut out = Vec::new();
        let mut i = 0;
        'words: while i < words.len() {
            for len in (1..=3.min(words.len() - i)).rev() {
                let phrase = words[i..i + len].join(" ");
                if let Some(label) = find(&phrase, &spellings) {
                    out.push(label);
                    i += len;
                    continue 'words;
                }
            }
            return Err(self.unknown(&words[i], &spellings));
        }
        if out.is_empty() {
            return Err(VocabError::Empty { known: self.classes.iter().map(|c| c.name.clone()).collect() });
        }
        Ok(out)
    }

    /// The error for an unknown word: the (up to) three closest class names by edit distance.
    fn unknown(&self, word: &str, spellings: &[(String, usize)]) -> VocabError {
        let mut best: Vec<(usize, usize)> = (0..self.len())
            .map(|label| {
                let d = spellings.iter().filter(|(_, l)| *l == label).map(|(s, _)| edit_distance(word, s)).min().unwrap_or(usize::MAX);
                (d, label)
            })
            .collect();
        best.sort();
        let nearest = best.iter().take(3).map(|&(_, l)| self.classes[l].name.clone()).collect();
        VocabError::Unknown { word: word.into(), nearest }
    }
}

/// The label a normalised phrase (or its singular) spells.
fn find(phrase: &str, spellings: &[(String, usize)]) -> Option<usize> {
    singular_forms(phrase).iter().find_map(|c| spellings.iter().find(|(s, _)| s == c).map(|(_, l)| *l))
}

fn normalise(s: &str) -> String {
    s.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The word itself, then plausible singulars ("boots" -> "boot", "dresses" -> "dress").
fn singular_forms(w: &str) -> Vec<String> {
    let mut v = vec![w.to_string()];
    if let Some(s) = w.strip_suffix("es") {
        v.push(s.into());
    }
    if let Some(s) = w.strip_suffix('s') {
        v.push(s.into());
    }
    v
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fashion_names_aliases_case_and_plurals() {
        let v = Vocabulary::fashion_mnist();
        assert_eq!(v.len(), 10);
        for (word, label) in [
            ("ankle boot", 9),
            ("Ankle Boots", 9),
            ("SNEAKERS", 7),
            ("tee", 0),
            ("T-shirt", 0),
            ("t-shirt/top", 0),
            ("dresses", 3),
            ("pants", 1),
            ("bag", 8),
            ("shirt", 6),
        ] {
            assert_eq!(v.lookup(word), Ok(label), "{word}");
        }
        assert_eq!(v.name(9), "Ankle boot");
    }

    #[test]
    fn mnist_digits_and_words() {
        let v = Vocabulary::mnist();
        assert_eq!(v.lookup("7"), Ok(7));
        assert_eq!(v.lookup("Seven"), Ok(7));
        assert_eq!(v.parse_prompt("3 and seven, 0"), Ok(vec![3, 7, 0]));
    }

    #[test]
    fn prompts_with_several_classes_match_multi_word_names_greedily() {
        let v = Vocabulary::fashion_mnist();
        assert_eq!(v.parse_prompt("ankle boot, bag"), Ok(vec![9, 8]));
        assert_eq!(v.parse_prompt("sneaker + dress & ankle boots"), Ok(vec![7, 3, 9]));
        assert_eq!(v.parse_prompt("a running shoe and a tee shirt"), Ok(vec![7, 0]));
        assert!(matches!(v.parse_prompt(" , and "), Err(VocabError::Empty { .. })));
    }

    #[test]
    fn unknown_words_list_the_nearest_names() {
        let v = Vocabulary::fashion_mnist();
        // "sneeker" is 1 edit from "sneaker", 3 from "sweater" (Pullover).
        let VocabError::Unknown { word, nearest } = v.lookup("sneeker").unwrap_err() else { panic!("unknown") };
        assert_eq!((word.as_str(), nearest.len()), ("sneeker", 3));
        assert_eq!(&nearest[..2], &["Sneaker".to_string(), "Pullover".to_string()]);
        let msg = v.parse_prompt("bag, hat").unwrap_err().to_string();
        assert!(msg.contains("unknown class `hat`") && msg.contains("nearest known"), "{msg}");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
