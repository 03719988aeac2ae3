//! `gan eval` and `gan compare`: toy runs scored by their modes, image runs (GAN and VAE) in
//! the shipped classifier's feature space, with the real-feature cache.

mod common;

use common::{run, stderr, write_labelled_28};
use gan::eval::EvalReport;

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

#[test]
fn a_toy_run_is_scored_by_its_modes() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    ok(&run(&["--threads", "1", "train", "--preset", "ring8-rpgan", "--steps", "1500", "--out", "ring"], r));
    // Training plots real and generated points, titled with the mode metrics.
    assert!(r.join("ring/samples/step-00001500.png").is_file());
    let o = run(&["--threads", "1", "eval", "--run", "ring"], r);
    ok(&o);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("modes covered") && table.contains("high quality"), "{table}");
    let e = EvalReport::load(&r.join("ring/eval.json")).unwrap();
    let m = e.modes.expect("ring8 has modes");
    assert_eq!((e.samples, m.modes, e.step), (2500, 8, 1500));
    // After 1,500 steps the relativistic recipe already covers the ring (8/8 modes, 69% HQ
    // on the machine that set these bounds; the plain non-saturating GAN's 4-7 modes at this
    // length depend on the CPU's floating-point path, so it does not make a robust check).
    assert!(m.covered >= 7 && m.high_quality > 0.3, "{m:?}");
    assert!(e.points.unwrap().recall > 0.1);
    // Same seed, same report; another seed, other samples.
    ok(&run(&["--threads", "1", "eval", "--run", "ring"], r));
    assert_eq!(EvalReport::load(&r.join("ring/eval.json")).unwrap().modes.unwrap(), m);
    ok(&run(&["--threads", "1", "eval", "--run", "ring", "--seed", "3", "--n", "500"], r));
    let other = EvalReport::load(&r.join("ring/eval.json")).unwrap();
    assert_eq!(other.samples, 500);
}

#[test]
fn gan_and_vae_are_compared_in_one_feature_space() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write_labelled_28(&r.join("data"), 300, true);
    let gan_cfg =
        "steps = 30\nbatch_size = 32\n[model]\nkind = \"mlp\"\nlatent_dim = 8\ng_hidden = [32]\nd_hidden = [32]\nd_dropout = 0.0\nleaky_slope = 0.2\n";
    std::fs::write(r.join("g.toml"), gan_cfg).unwrap();
    let vae_cfg = "steps = 30\nbatch_size = 32\n[model]\nkind = \"vae\"\nlatent_dim = 4\nencoder_hidden = [32]\ndecoder_hidden = [32]\nleaky_slope = 0.2\n";
    std::fs::write(r.join("v.toml"), vae_cfg).unwrap();
    ok(&run(&["train", "--preset", "mnist-mlp", "--config", "g.toml", "--data", "data", "--out", "g", "--no-progress"], r));
    let o = run(&["train", "--preset", "mnist-vae", "--config", "v.toml", "--data", "data", "--out", "v", "--no-progress"], r);
    ok(&o);
    assert!(stderr(&o).contains("-ELBO"), "{}", stderr(&o));
    let cache = r.join("cache");
    let eval = |run_dir: &str| {
        let o = run(&["eval", "--run", run_dir, "--n", "200", "--classifier", "mnist", "--cache", cache.to_str().unwrap()], r);
        ok(&o);
        EvalReport::load(&r.join(run_dir).join("eval.json")).unwrap()
    };
    let g = eval("g");
    let f = g.features.clone().expect("image runs get feature scores");
    assert!(f.network.contains("mnist") && f.classifier_sha256.len() == 64, "{}", f.network);
    assert!(f.fid.is_finite() && f.fid > 0.0 && f.real_images == 200);
    assert!((0.0..=1.0).contains(&f.prdc.precision) && (0.0..=1.0).contains(&f.prdc.coverage));
    let score = f.classifier_score.expect("a classifier's space scores classes").mean;
    assert!((1.0..=10.0).contains(&score));
    assert_eq!(g.classes.as_ref().unwrap().shares.len(), 10);
    // The real side was cached; a second evaluation reads it and agrees. Not to the last
    // bit: with two threads, MKL's results depend on memory alignment, and about one
    // evaluation in eight moves the FID by ~5e-7 relative (measured on this run's recipe;
    // identical with --threads 1 or MKL_CBWR=COMPATIBLE). A wrong cache moves it far more.
    let cached: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(cached.len(), 1);
    let again = eval("g").features.unwrap().fid;
    assert!((again - f.fid).abs() <= 1e-5 * f.fid, "{again} vs {}", f.fid);
    let v = eval("v");
    assert_eq!(v.model, "vae");
    let o = run(&["compare", "g", "v"], r);
    ok(&o);
    let table = String::from_utf8_lossy(&o.stdout);
    for want in ["FID", "KID", "classifier score", "classes drawn", "vae", "gan", "feature space"] {
        assert!(table.contains(want), "{want} missing:\n{table}");
    }
    let fid_line = table.lines().find(|l| l.starts_with("FID")).unwrap();
    assert!(fid_line.contains(&format!("{:.3}", f.fid)), "{fid_line}");
    // Fewer samples than the classifier score's 10 splits: refused, not NaN.
    let o = run(&["eval", "--run", "g", "--n", "8", "--classifier", "mnist", "--no-cache"], r);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("at least 10 samples") && stderr(&o).trim().lines().count() == 1, "{}", stderr(&o));
    // After more training, compare does not reuse the older step's eval.json.
    ok(&run(&["train", "--resume", "g", "--steps", "32", "--no-progress"], r));
    let o = run(&["compare", "g", "v", "--n", "200", "--classifier", "mnist", "--cache", cache.to_str().unwrap()], r);
    ok(&o);
    assert!(stderr(&o).contains("g: eval.json is of step 30, the newest checkpoint is step 32"), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    let step_line = table.lines().find(|l| l.starts_with("step")).unwrap();
    assert!(step_line.contains("32") && step_line.contains("30"), "{step_line}");
}

#[test]
fn eval_errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["eval", "--run", "nowhere"], dir.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nowhere") && stderr(&o).lines().count() == 1, "{}", stderr(&o));
    let o = run(&["train", "--preset", "mnist-vae", "--steps", "1", "--config", "/dev/null", "--out", "x", "--no-progress"], dir.path());
    ok(&o);
    std::fs::write(dir.path().join("bad.toml"), "d_steps = 2\n").unwrap();
    let o = run(&["train", "--preset", "mnist-vae", "--config", "bad.toml", "--out", "y"], dir.path());
    assert!(!o.status.success() && stderr(&o).contains("d_steps"), "{}", stderr(&o));
}

#[test]
fn a_truncated_evaluation_is_recorded_and_never_taken_for_a_plain_one() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write_labelled_28(&r.join("data"), 300, true);
    let cfg = "steps = 30\nbatch_size = 32\n[model]\nkind = \"mlp\"\nlatent_dim = 8\ng_hidden = [32]\nd_hidden = [32]\nd_dropout = 0.0\nleaky_slope = 0.2\n";
    std::fs::write(r.join("g.toml"), cfg).unwrap();
    ok(&run(&["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "g.toml", "--data", "data", "--out", "g", "--no-progress"], r));
    let eval = |extra: &[&str]| {
        let o = run(&[&["--threads", "1", "eval", "--run", "g", "--n", "200", "--classifier", "mnist", "--no-cache"], extra].concat(), r);
        ok(&o);
        (String::from_utf8_lossy(&o.stdout).into_owned(), EvalReport::load(&r.join("g/eval.json")).unwrap())
    };
    let (_, plain) = eval(&[]);
    let (table, cut) = eval(&["--truncation", "0.5"]);
    assert_eq!((plain.truncation, cut.truncation), (None, Some(0.5)));
    assert!(table.lines().next().unwrap().contains("latents truncated at 0.5"), "{table}");
    // The samples scored are other samples (the same seed, entries beyond 0.5 redrawn), and
    // the same truncation gives the same report.
    let fid = |e: &EvalReport| e.features.as_ref().unwrap().fid;
    assert!((fid(&plain) - fid(&cut)).abs() > 1e-6 * fid(&plain), "{} vs {}", fid(&plain), fid(&cut));
    assert_eq!(fid(&eval(&["--truncation", "0.5"]).1), fid(&cut));
    // compare does not reuse an eval.json drawn at another truncation than it is asked for.
    let o = run(&["--threads", "1", "compare", "g", "--n", "200", "--classifier", "mnist", "--no-cache"], r);
    ok(&o);
    assert!(stderr(&o).contains("g: eval.json's latents were drawn at truncation 0.5, not none"), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("200, 0, none"), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(EvalReport::load(&r.join("g/eval.json")).unwrap().truncation, None);
    // Thresholds that cannot sample, and folders that draw no latents: one line each.
    for (args, needle) in [
        (vec!["--truncation", "0.05"], "--truncation 0.05 is below 0.1"),
        (vec!["--truncation", "0"], "--truncation must be a positive number"),
        (vec!["--truncation", "0.5", "--samples", "data"], "--truncation and --truncation-psi do not apply"),
    ] {
        let o = run(&[&["eval", "--run", "g", "--classifier", "mnist"], &args[..]].concat(), r);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle) && stderr(&o).trim().lines().count() == 1, "{args:?}: {}", stderr(&o));
    }
}
