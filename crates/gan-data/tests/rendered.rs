//! The digit renderer of `[data] kind = "rendered-digits"`: seeded (the same seed gives the
//! same bytes, another seed other digits), labelled by construction with balanced classes,
//! laid out like MNIST (white ink on black, centred), and bad settings refused in one line
//! naming the field.

use gan_data::rendered::{RenderSettings, SIDE};

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
    let d = settings(100, 0).render().unwrap();
    for (i, img) in d.pixels.chunks_exact(SIDE * SIDE).enumerate() {
        let ink: f64 = img.iter().map(|&v| v as f64).sum();
        let border: f64 =
            (0..SIDE * SIDE).filter(|j| j / SIDE < 2 || j / SIDE >= SIDE - 2 || j % SIDE < 2 || j % SIDE >= SIDE - 2).map(|j| img[j] as f64).sum();
        assert!(border < 0.05 * ink, "image {i}: ink reaches the border");
        let cy = (0..SIDE * SIDE).map(|j| (j / SIDE) as f64 * img[j] as f64).sum::<f64>() / ink;
        let cx = (0..SIDE * SIDE).map(|j| (j % SIDE) as f64 * img[j] as f64).sum::<f64>() / ink;
        assert!((cx - 13.5).abs() < 3.0 && (cy - 13.5).abs() < 3.0, "image {i}: centre ({cx}, {cy})");
        // Strokes cover about 10-30% of an MNIST digit's pixels.
        let covered = img.iter().filter(|&&v| v > 127).count() as f64 / (SIDE * SIDE) as f64;
        assert!((0.04..0.4).contains(&covered), "image {i}: {covered}");
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
