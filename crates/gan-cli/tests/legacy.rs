//! Runs written by an earlier version keep working: `tests/fixtures/legacy-64abbb0/` holds a
//! tiny DCGAN run (with a moving average) and a tiny CycleGAN run (with image pools) as commit
//! 64abbb0 wrote them (`gan.toml` and `cyclegan.toml` beside them, seed 1, one thread). Each
//! must list its checkpoints, be examined by the doctor, sample or translate, and resume; the
//! DCGAN run resumed to step 9 must equal a fresh 9-step run (bit for bit on the machine that
//! recorded it; to float rounding on another CPU).

mod common;

use std::path::{Path, PathBuf};

use common::{run, stderr};

fn fixture(tmp: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-64abbb0");
    let dst = tmp.join("legacy");
    copy_dir(&src, &dst);
    dst
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let p = e.unwrap().path();
        let to = dst.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &to);
        } else {
            std::fs::copy(&p, &to).unwrap();
        }
    }
}

fn ok(args: &[&str], cwd: &Path) -> String {
    let o = run(args, cwd);
    assert!(o.status.success(), "gan {args:?}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned() + &stderr(&o)
}

#[test]
fn a_gan_run_of_an_earlier_version_lists_examines_samples_and_resumes_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture(tmp.path());
    let listed = ok(&["checkpoints", "gan-run"], &dir);
    assert!(listed.contains("1.4459") && listed.contains("1.3926") && listed.contains("<- latest"), "{listed}");
    let doctor = ok(&["doctor", "gan-run"], &dir);
    assert!(doctor.contains("the generator at step 6"), "{doctor}");
    ok(&["sample", "--run", "gan-run", "--n", "4", "--out", "s.png"], &dir);
    assert!(dir.join("s.png").is_file());
    ok(&["--threads", "1", "train", "--resume", "gan-run", "--steps", "9", "--no-progress"], &dir);
    ok(&["--threads", "1", "train", "--preset", "mnist-dcgan", "--config", "gan.toml", "--seed", "1", "--steps", "9", "--out", "fresh", "--no-progress"], &dir);
    // The fixture's six steps were computed on the machine that recorded it, whose last bits
    // may differ from this one's (measured: 1e-7 relative on another CPU; byte-equal on the
    // recording machine); a resume that lost state (optimiser moments, the average, the data
    // position) differs by whole Adam steps, lr 2e-4 per element, orders of magnitude more.
    for f in ["generator.safetensors", "discriminator.safetensors", "generator_ema.safetensors", "optimizer.safetensors"] {
        let read = |run: &str| {
            let mut t = tch::Tensor::read_safetensors(dir.join(run).join("checkpoints/step-00000009").join(f)).unwrap();
            t.sort_by(|a, b| a.0.cmp(&b.0));
            t
        };
        let (a, b) = (read("gan-run"), read("fresh"));
        assert_eq!(a.iter().map(|(n, _)| n).collect::<Vec<_>>(), b.iter().map(|(n, _)| n).collect::<Vec<_>>(), "{f}: the same tensors");
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            if !x.is_floating_point() {
                assert!(x.equal(y), "{f} {name}: the resumed legacy run's counters differ from a fresh one's");
                continue;
            }
            let rel = ((x - y).norm() / y.norm().clamp_min(1e-30)).double_value(&[]);
            assert!(rel <= 1e-5, "{f} {name}: the resumed legacy run differs from a fresh one by {rel:e} (relative)");
        }
    }
}

#[test]
fn a_cyclegan_run_of_an_earlier_version_lists_translates_and_resumes_with_its_pools() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixture(tmp.path());
    let listed = ok(&["checkpoints", "cyclegan-run"], &dir);
    assert!(listed.contains("1.0351") && listed.contains("2.0209"), "{listed}");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    image::GrayImage::from_fn(28, 28, |x, _| image::Luma([if x % 7 == 0 { 255 } else { 0 }])).save(input.join("a.png")).unwrap();
    ok(&["translate", "--run", "cyclegan-run", "--input", "in", "--out", "out"], &dir);
    assert!(dir.join("out/a.png").is_file());
    let resumed = ok(&["--threads", "1", "train", "--resume", "cyclegan-run", "--steps", "9", "--no-progress"], &dir);
    assert!(resumed.contains("finished at step 9"), "{resumed}");
}
