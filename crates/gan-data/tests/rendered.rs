//! The digit renderer of `[data] kind = "rendered-digits"`: seeded (the same seed gives the
//! same bytes, another seed other digits), labelled by construction with balanced classes,
//! laid out like MNIST (white ink on black, centred), and bad settings refused in one line
//! naming the field; the handwriting fonts likewise.

use gan_data::elastic::Elastic;
use gan_data::rendered::{DigitFonts, RenderSettings, SIDE};

fn settings(images: usize, seed: u64) -> RenderSettings {
    RenderSettings { images, seed, ..RenderSettings::default() }
}

#[test]
fn the_same_seed_renders_the_same_bytes_and_classes_are_balanced() {
    let a = settings(40, 3).render().unwrap();
    let b = settings(40, 3).render().unwrap();
    let c = settings(40, 4).render().unwrap();
    assert_eq!(a.pixels, b.pixels);
    assert_ne!(a.pixels, c.pixels);
    assert_eq!((a.len(), a.channels, a.height, a.width), (40, 1, SIDE, SIDE));
    let labels = a.labels.as_ref().unwrap();
    assert_eq!(labels[..12], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // Image i depends on (seed, i) only: a longer set starts with the same images.
    assert_eq!(settings(20, 3).render().unwrap().pixels, a.pixels[..20 * SIDE * SIDE]);
}

#[test]
fn digits_are_white_on_black_and_centred_like_mnist() {
    laid_out_like_mnist(&settings(100, 0).render().unwrap());
}

fn laid_out_like_mnist(d: &gan_data::Dataset) {
    for (i, img) in d.pixels.chunks_exact(SIDE * SIDE).enumerate() {
        let ink: f64 = img.iter().map(|&v| v as f64).sum();
        let border: f64 =
            (0..SIDE * SIDE).filter(|j| j / SIDE < 2 || j / SIDE >= SIDE - 2 || j % SIDE < 2 || j % SIDE >= SIDE - 2).map(|j| img[j] as f64).sum();
        assert!(border < 0.05 * ink, "image {i}: ink reaches the border");
        let cy = (0..SIDE * SIDE).map(|j| (j / SIDE) as f64 * img[j] as f64).sum::<f64>() / ink;
        let cx = (0..SIDE * SIDE).map(|j| (j % SIDE) as f64 * img[j] as f64).sum::<f64>() / ink;
        assert!((cx - 13.5).abs() < 3.0 && (cy - 13.5).abs() < 3.0, "image {i}: centre ({cx}, {cy})");
        // Strokes cover 2.8-35% of an MNIST digit's pixels (the shared 10,000: half of them
        // 13% or more; the thinnest ones are 1s).
        let covered = img.iter().filter(|&&v| v > 127).count() as f64 / (SIDE * SIDE) as f64;
        assert!((0.025..0.4).contains(&covered), "image {i}: {covered}");
    }
}

#[test]
fn bad_settings_are_refused_naming_the_field() {
    let cases: [(&str, RenderSettings); 5] = [
        ("data.images", RenderSettings { images: 0, ..RenderSettings::default() }),
        ("data.rotation", RenderSettings { rotation: 400.0, ..RenderSettings::default() }),
        ("data.height", RenderSettings { height: [0.8, 0.5], ..RenderSettings::default() }),
        ("data.blur[1]", RenderSettings { blur: [0.0, f64::NAN], ..RenderSettings::default() }),
        ("data.stroke[0]", RenderSettings { stroke: [-9.0, 0.0], ..RenderSettings::default() }),
    ];
    for (field, s) in cases {
        let e = s.render().unwrap_err().to_string();
        assert!(e.contains(field) && !e.contains('\n'), "{field}: {e}");
    }
}

fn elastic(images: usize, seed: u64, alpha: f64) -> RenderSettings {
    RenderSettings { elastic: Some(Elastic { alpha, sigma: 4.0 }), ..settings(images, seed) }
}

/// Simard et al.'s elastic distortion bends the strokes: seeded like the rest, a different
/// image from the same draws without it, about the same ink, still white on black and centred.
#[test]
fn elastic_distortion_is_seeded_and_keeps_the_digit() {
    let plain = settings(50, 5).render().unwrap();
    let a = elastic(50, 5, 34.0).render().unwrap();
    assert_eq!(a.pixels, elastic(50, 5, 34.0).render().unwrap().pixels);
    assert_eq!(a.labels, plain.labels);
    assert!(a.name.contains("elastic alpha 34"), "{}", a.name);
    // A zero field draws its noise and moves nothing: the plain digits.
    assert_eq!(elastic(50, 5, 0.0).render().unwrap().pixels, plain.pixels);
    let side = SIDE * SIDE;
    let mut moved = 0;
    for (i, (d, p)) in a.pixels.chunks_exact(side).zip(plain.pixels.chunks_exact(side)).enumerate() {
        let (ink_d, ink_p) = (d.iter().map(|&v| v as f64).sum::<f64>(), p.iter().map(|&v| v as f64).sum::<f64>());
        assert!((ink_d / ink_p - 1.0).abs() < 0.35, "image {i}: ink {ink_d} against {ink_p}");
        let cx = (0..side).map(|j| (j % SIDE) as f64 * d[j] as f64).sum::<f64>() / ink_d;
        assert!((cx - 13.5).abs() < 3.5, "image {i}: centre {cx}");
        let changed = d.iter().zip(p).filter(|(x, y)| (**x as i32 - **y as i32).abs() > 64).count();
        moved += usize::from(changed > 20);
    }
    assert!(moved >= 45, "only {moved} of 50 digits bent");
}

#[test]
fn bad_elastic_settings_are_refused_naming_the_field() {
    for (field, alpha, sigma) in [("data.elastic.alpha", -1.0, 4.0), ("data.elastic.alpha", f64::NAN, 4.0), ("data.elastic.sigma", 34.0, 0.0)] {
        let s = RenderSettings { elastic: Some(Elastic { alpha, sigma }), ..RenderSettings::default() };
        let e = s.render().unwrap_err().to_string();
        assert!(e.contains(field) && !e.contains('\n'), "{field}: {e}");
    }
}

/// The handwriting-style fonts: seeded, other shapes than DejaVu's from the same draws, laid
/// out the same way; a configuration names them, and an unknown name is refused.
#[test]
fn handwriting_fonts_are_seeded_and_laid_out_like_mnist() {
    let hand = |seed| RenderSettings { fonts: DigitFonts::Handwriting, ..settings(100, seed) };
    let a = hand(0).render().unwrap();
    assert_eq!(a.pixels, hand(0).render().unwrap().pixels);
    assert_ne!(a.pixels, settings(100, 0).render().unwrap().pixels);
    assert_eq!(a.labels, settings(100, 0).render().unwrap().labels);
    laid_out_like_mnist(&a);
    assert!(a.name.contains("11 handwriting fonts"), "{}", a.name);
    let parsed: RenderSettings = toml::from_str("fonts = \"handwriting\"").unwrap();
    assert_eq!((parsed.fonts, RenderSettings::default().fonts), (DigitFonts::Handwriting, DigitFonts::Dejavu));
    let e = toml::from_str::<RenderSettings>("fonts = \"comic\"").unwrap_err().to_string();
    assert!(e.contains("comic") && e.contains("handwriting"), "{e}");
}
