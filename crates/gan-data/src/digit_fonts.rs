//! The fonts the digit renderer ([`crate::rendered`]) draws from, compiled in
//! (`data/fonts/`, digits only, with their licences and the commands that cut them).
//! A typeface's digits are the shapes a print simulator knows; the handwriting-style fonts
//! draw them as people write them (an open 4, a 1 as one stroke, a 7 with or without a bar,
//! a 9 with a straight or a curved tail), the richer simulator RESULTS.md's SimGAN rows ask
//! for.

use ab_glyph::FontRef;
use serde::{Deserialize, Serialize};

/// DejaVu Sans regular: the weight thinner fonts are brought to ([`reference`]).
const REFERENCE: &[u8] = include_bytes!("../../../data/fonts/DejaVuSans-digits.ttf");
const DEJAVU: [&[u8]; 2] = [REFERENCE, include_bytes!("../../../data/fonts/DejaVuSans-Bold-digits.ttf")];

const HANDWRITING: [&[u8]; 11] = [
    include_bytes!("../../../data/fonts/hand/BecauseWeBuild-Regular-digits.otf"),
    include_bytes!("../../../data/fonts/hand/BecauseWeConnect-Regular-digits.otf"),
    include_bytes!("../../../data/fonts/hand/BecauseWeCreate-Regular-digits.otf"),
    include_bytes!("../../../data/fonts/hand/BecauseWeLearn-Regular-digits.otf"),
    include_bytes!("../../../data/fonts/hand/BecauseWeMentor-Regular-digits.otf"),
    include_bytes!("../../../data/fonts/hand/BecauseWeOrganize-Regular-digits.otf"),
    include_bytes!("../../../data/fonts/hand/Breip-digits.ttf"),
    include_bytes!("../../../data/fonts/hand/ComicNeue-Bold-digits.otf"),
    include_bytes!("../../../data/fonts/hand/ComicNeue-Regular-digits.otf"),
    include_bytes!("../../../data/fonts/hand/Humor-Sans-digits.ttf"),
    include_bytes!("../../../data/fonts/hand/dkg-digits.ttf"),
];

/// Which fonts the digits are drawn from, one chosen uniformly per image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum DigitFonts {
    /// DejaVu Sans, regular and bold.
    #[default]
    Dejavu,
    /// Eleven handwriting-style fonts: the six of Because We Had To, Breip, Comic Neue
    /// regular and bold, Humor Sans and dkg-handwriting.
    Handwriting,
    /// All thirteen.
    All,
}

impl DigitFonts {
    /// The fonts, parsed.
    pub fn load(self) -> Vec<FontRef<'static>> {
        let bytes: Vec<&'static [u8]> = match self {
            DigitFonts::Dejavu => DEJAVU.to_vec(),
            DigitFonts::Handwriting => HANDWRITING.to_vec(),
            DigitFonts::All => DEJAVU.iter().chain(&HANDWRITING).copied().collect(),
        };
        bytes.into_iter().map(parse).collect()
    }

    /// How a description names them.
    pub fn describe(self) -> &'static str {
        match self {
            DigitFonts::Dejavu => "DejaVu Sans",
            DigitFonts::Handwriting => "11 handwriting fonts",
            DigitFonts::All => "DejaVu Sans and 11 handwriting fonts",
        }
    }
}

/// DejaVu Sans regular, parsed: the stroke weight thinner fonts are thickened to.
pub(crate) fn reference() -> FontRef<'static> {
    parse(REFERENCE)
}

fn parse(bytes: &'static [u8]) -> FontRef<'static> {
    FontRef::try_from_slice(bytes).expect("the shipped fonts parse")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::Font;

    /// Every shipped font parses and draws all ten digits.
    #[test]
    fn every_font_has_the_ten_digits() {
        let all = DigitFonts::All.load();
        assert_eq!((all.len(), DigitFonts::Dejavu.load().len(), DigitFonts::Handwriting.load().len()), (13, 2, 11));
        for (i, font) in all.iter().enumerate() {
            for d in b'0'..=b'9' {
                let glyph = font.glyph_id(char::from(d)).with_scale(40.0);
                assert!(font.outline_glyph(glyph).is_some(), "font {i} has no outline for {}", char::from(d));
            }
        }
    }
}
