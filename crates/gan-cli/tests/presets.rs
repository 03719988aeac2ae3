//! Every preset trains: one step of each, on the built-in sample or a small stand-in for
//! the data it names (`gan presets` is the list).

mod common;

use common::*;

#[test]
fn every_preset_takes_a_training_step() {
    let t = tempfile::tempdir().unwrap();
    let idx = t.path().join("idx");
    write_idx_dir(&idx, 40);
    let shapes = t.path().join("shapes");
    std::fs::create_dir_all(&shapes).unwrap();
    for i in 0..8u8 {
        image::RgbImage::from_fn(40, 30, |x, _| image::Rgb([i * 30, x as u8 * 6, 90])).save(shapes.join(format!("{i}.png"))).unwrap();
    }
    // Image-to-image presets read 28x28 Fashion-MNIST-style IDX files with a test split.
    let pairs = t.path().join("pairs28");
    write_labelled_28(&pairs, 40, true);
    for f in ["images-idx3-ubyte.gz", "labels-idx1-ubyte.gz"] {
        std::fs::copy(pairs.join(format!("train-{f}")), pairs.join(format!("t10k-{f}"))).unwrap();
    }
    // CIFAR-10 presets read the binary batches.
    let cifar = t.path().join("cifar");
    std::fs::create_dir_all(&cifar).unwrap();
    for i in 1..=5 {
        std::fs::write(cifar.join(format!("data_batch_{i}.bin")), gan_data::cifar::encode_records(8)).unwrap();
    }
    // Emoji presets read two vendors' folders with the emoji set's metadata fields (the
    // style presets: the same file names in both, some in the test split).
    let emoji = t.path().join("emoji");
    for vendor in ["google", "twitter"] {
        let dir = emoji.join(vendor);
        std::fs::create_dir_all(&dir).unwrap();
        let mut meta = String::new();
        for i in 0..12u8 {
            image::RgbaImage::from_fn(16, 16, |x, _| image::Rgba([i * 20, x as u8 * 12, 90, 200])).save(dir.join(format!("{i}.png"))).unwrap();
            let group = ["people & body", "smileys & emotion"][i as usize % 2];
            let (name, keywords) = (["red face", "blue cat"][i as usize % 2], ["\"face\", \"red\"", "\"cat\""][i as usize % 2]);
            meta.push_str(&format!(
                "{{\"file_name\": \"{i}.png\", \"text\": \"{name}\", \"keywords\": [{keywords}], \"group\": \"{group}\", \"skin_tone\": [{}], \"split\": \"{}\"}}\n",
                1 + i % 5,
                if i % 4 == 3 { "test" } else { "train" }
            ));
        }
        std::fs::write(dir.join("metadata.jsonl"), meta).unwrap();
    }
    let list = run(&["presets"], t.path());
    assert!(list.status.success());
    let names: Vec<String> = String::from_utf8_lossy(&list.stdout).lines().filter_map(|l| l.split_whitespace().next().map(String::from)).collect();
    assert!(names.len() >= 9, "{names:?}");
    for name in &names {
        let mut args = vec!["train", "--preset", name, "--steps", "1", "--batch-size", "4", "--no-progress", "--out", name];
        // Fashion presets read IDX files (8x8 here; 28x28 where padded to a power of two), the
        // faces preset an image folder.
        if name.starts_with("edges2fashion") || name == "fashion-stylegan2" {
            args.extend(["--data", pairs.to_str().unwrap()]);
        } else if name.starts_with("fashion") {
            args.extend(["--data", idx.to_str().unwrap()]);
        } else if name.starts_with("cifar10") {
            args.extend(["--data", cifar.to_str().unwrap()]);
        } else if name.starts_with("emoji") {
            args.extend(["--data", emoji.to_str().unwrap()]);
        } else if name.starts_with("faces") {
            args.extend(["--data", shapes.to_str().unwrap()]);
        }
        let o = run(&args, t.path());
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let m = gan::run::metrics::read_metrics(&t.path().join(name).join("metrics.jsonl")).unwrap();
        if m[0].scalars.has_group("translation.") {
            let terms = ["translation.l1", "translation.cycle", "translation.content", "translation.self_reg"];
            let term = terms.iter().find_map(|t| m[0].get(t));
            assert!(m.len() == 1 && term.is_some_and(f64::is_finite), "{name}: {m:?}");
            // The L1 ablation has no discriminator; CartoonGAN's first steps train by content
            // alone, SimGAN's by self-regularisation alone.
            let adversarial = !name.ends_with("-l1") && !name.ends_with("cartoongan") && !name.ends_with("simgan");
            assert_eq!(m[0].get("d_loss").is_some(), adversarial, "{name}: {m:?}");
            continue;
        }
        if name.contains("vae") {
            let e = m[0].get("vae.loss").expect("VAE metrics");
            assert!(m.len() == 1 && e.is_finite() && m[0].get("d_loss").is_none(), "{name}: {m:?}");
            continue;
        }
        assert!(m.len() == 1 && m[0].get("d_loss").unwrap().is_finite() && m[0].get("g_loss").unwrap().is_finite(), "{name}: {m:?}");
        // StyleGAN2's lazy path length penalty is taken on the first step too.
        assert_eq!(m[0].get("pl.penalty").is_some_and(f64::is_finite), name.contains("stylegan2"), "{name}");
        assert_eq!(m[0].get("wasserstein").is_some(), name.contains("wgan") || name.contains("progan"), "{name}");
        assert_eq!(
            m[0].get("penalty").is_some(),
            name.contains("wgan-gp")
                || name.contains("progan")
                || name.ends_with("-r1")
                || name.contains("rpgan")
                || name.contains("stylegan2")
                || name == "emoji-cgan"
                || name.starts_with("mnist-mlp"),
            "{name}"
        );
    }
}
