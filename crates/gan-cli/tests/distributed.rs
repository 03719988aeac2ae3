//! Data-parallel training over c10d's Gloo on 127.0.0.1: two ranks with a global batch of 64
//! take the single process's steps (batch 64, same seed) through step 20, for the MLP GAN
//! without dropout, the MLP WGAN-GP (whose penalty's interpolation weights are sharded as
//! the batch is; runs resume from one world size into another) and, for the first steps, the conv WGAN-GP with 5 critic updates per step
//! (its generator's batch norms synchronised, `sync_batch_norm = true`, so that their
//! statistics are the global batch's; see the test for why its later steps only agree to
//! a bound in two ranks, and all 20 in a group of one): every weight agrees to 1e-5 of its tensor's scale, but for the few
//! whose gradient is rounding noise, which Adam may send either way (see
//! `assert_same_steps`; measured on MNIST: at most 5e-5 relative, most tensors 1e-8); a killed rank stops the other with "rank 1 lost" and no partial checkpoint;
//! bad set-ups (an unreachable store, configurations that differ between ranks, a world
//! larger than the batch) fail with one line naming the problem.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

const MLP: &str = r#"
steps = 20
batch_size = 64
log_every = 5
sample_every = 10
checkpoint_every = 2
keep_checkpoints = 10

[model]
kind = "mlp"
latent_dim = 8
g_hidden = [32, 32]
d_hidden = [32, 16]
d_dropout = 0.0
ema_half_life = 0

[loss.lipschitz]
kind = "none"
"#;

/// The fashion-wgan-gp recipe (conv critic without norm, BatchNorm in G, 5 critic updates)
/// with narrow networks and G's batch norms synchronised over the ranks.
const CONV_WGAN_GP: &str = r#"
steps = 20
batch_size = 64
log_every = 5
sample_every = 10
checkpoint_every = 2
keep_checkpoints = 10
sync_batch_norm = true

[model]
kind = "dcgan"
latent_dim = 16
g_base = 8
d_base = 8
d_norm = "none"
"#;

fn ok(args: &[&str], cwd: &Path) {
    let o = run(args, cwd);
    assert!(o.status.success(), "gan {args:?} failed: {}", stderr(&o));
}

/// How the two runs' weights in `file` at `step` differ: the elements off by more than 1e-5
/// of their tensor's largest, the elements in all, and the largest difference.
fn differing(a: &Path, b: &Path, step: u64, file: &str) -> (i64, i64, f64) {
    differing_but(a, b, step, file, &|_| false)
}

/// As [`differing`], leaving out the tensors `skip` names.
fn differing_but(a: &Path, b: &Path, step: u64, file: &str, skip: &dyn Fn(&str) -> bool) -> (i64, i64, f64) {
    let read = |r: &Path| gan::tensors::read(&r.join(format!("checkpoints/step-{step:08}")).join(file)).unwrap();
    let (x, y) = (read(a), read(b));
    assert_eq!(x.len(), y.len());
    let (mut off, mut all, mut max) = (0, 0, 0.0f64);
    for (n, t) in x.iter().filter(|(n, _)| !skip(n)) {
        let d = (t - &y[n]).abs();
        let tol = 1e-5 * t.abs().max().double_value(&[]) + 1e-8;
        off += d.gt(tol).sum(tch::Kind::Int64).int64_value(&[]);
        all += t.numel() as i64;
        max = max.max(d.max().double_value(&[]));
    }
    (off, all, max)
}

/// The two runs took the same steps: every element agrees to 1e-5 of its tensor's scale, but
/// for at most 1% of them, each within one Adam step (lr 2e-4) per step taken (Adam's update
/// is about lr * sign(gradient), so where a gradient is rounding noise, the two orders of
/// summation can send an element either way; a missing or wrong all-reduce moves nearly all).
fn assert_same_steps(what: &str, a: &Path, b: &Path, step: u64) {
    for f in ["generator.safetensors", "discriminator.safetensors"] {
        let (off, all, max) = differing(a, b, step, f);
        assert!(off * 100 <= all && max <= step as f64 * 2e-4, "{what} {f} step {step}: {off} of {all} elements differ, by up to {max:e}");
    }
}

fn free_port() -> String {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string()
}

fn setup(t: &Path, config: &str) -> (String, String) {
    digits_setup(t, 256, config)
}

#[test]
fn two_ranks_compute_the_single_process_steps() {
    let t = tempfile::tempdir().unwrap();
    let wgan =
        MLP.replace("[loss.lipschitz]\nkind = \"none\"\n", "[loss]\nkind = \"wasserstein\"\n\n[loss.lipschitz]\nkind = \"gradient-penalty\"\nweight = 10.0\n");
    for (name, preset, config) in
        [("mlp", "mnist-mlp", MLP.to_string()), ("wgan-gp", "mnist-mlp", wgan), ("wgan-gp-conv", "fashion-wgan-gp", CONV_WGAN_GP.to_string())]
    {
        let dir = t.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let (data, cfg) = setup(&dir, &config);
        let base = ["--threads", "1", "train", "--preset", preset, "--config", &cfg, "--data", &data, "--no-progress", "--out"];
        ok(&[&base[..], &["single"]].concat(), &dir);
        ok(&[&base[..], &["dual", "--nproc", "2"]].concat(), &dir);
        if name == "wgan-gp-conv" {
            // Five critic updates per step, Adam with beta1 = 0: the two ranks' split sums
            // round differently, and the runs drift apart within a few steps, so step 20 is
            // held only to a bound. Measured on MNIST-10k (2026-12-03): at step 1, 27 of
            // G's first-layer weights and 6 of its second's (those in front of a batch norm,
            // whose backward subtracts nearly equal means) moved by 2 lr the other way;
            // by step 2, 4,681 of 14,817 G weights are off by more than 1e-5 of their
            // tensor. The same is rounding, not a missing term: one process run on 1 and on
            // 2 threads agrees through step 10 and then drifts too (10,209 of 14,817 off at
            // step 20). In a group of one nothing is split (the
            // batch norm is the plain one, as torch.nn.SyncBatchNorm's is there): the same
            // steps through step 20. The synchronised batch norm's formulas are held to 1e-5
            // directly in crates/gan-shim/tests/sync_batch_norm.rs.
            assert_same_steps(name, &dir.join("single"), &dir.join("dual"), 2);
            let o = gan()
                .args([&base[..], &["one"]].concat())
                .current_dir(&dir)
                .envs([("WORLD_SIZE", "1"), ("RANK", "0"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", free_port().as_str())])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", stderr(&o));
            for step in [2, 20] {
                assert_same_steps("wgan-gp-conv in a group of one", &dir.join("single"), &dir.join("one"), step);
            }
            for f in ["generator.safetensors", "discriminator.safetensors"] {
                let (_, _, max) = differing(&dir.join("single"), &dir.join("dual"), 20, f);
                assert!(max <= 20.0 * 1e-4, "{f}: {max}");
            }
        } else {
            for step in [2, 20] {
                assert_same_steps(name, &dir.join("single"), &dir.join("dual"), step);
            }
        }
        if name == "mlp" {
            // The comparison can fail: a run from another seed differs.
            ok(&[&base[..], &["other", "--seed", "5"]].concat(), &dir);
            let (off, all, _) = differing(&dir.join("single"), &dir.join("other"), 2, "generator.safetensors");
            assert!(off * 100 > all, "{off} of {all}");
        }
        // Only rank 0 wrote: one metrics log with the single run's steps, no scratch left.
        let steps: Vec<u64> = gan::run::metrics::read_metrics(&dir.join("dual/metrics.jsonl")).unwrap().iter().map(|m| m.step).collect();
        assert_eq!(steps, vec![5, 10, 15, 20]);
        // The data-parallel run resumes in one process.
        let longer = dir.join("longer.toml");
        std::fs::write(&longer, config.replace("steps = 20", "steps = 25")).unwrap();
        ok(&["--threads", "1", "train", "--resume", "dual", "--config", longer.to_str().unwrap(), "--no-progress"], &dir);
        if name == "mlp" {
            // And the single-process run resumes in two (the second rank takes rank 0's
            // weights, optimiser state and place in the data): the same steps again.
            ok(&["--threads", "1", "train", "--resume", "single", "--config", longer.to_str().unwrap(), "--no-progress", "--nproc", "2"], &dir);
            assert_same_steps("mlp resumed", &dir.join("single"), &dir.join("dual"), 25);
        }
    }
}

/// Tiny translation runs on the built-in mnist-thick pairs (no dropout, CycleGAN without an
/// image pool: what a rank draws must not depend on the shard it holds).
const PIX2PIX: &str = "steps = 4\nbatch_size = 8\nlog_every = 2\nsample_every = 4\ncheckpoint_every = 2\nkeep_checkpoints = 5\n\n\
    [data]\nkind = \"mnist-thick\"\n\n[model.generator]\ndepth = 5\nbase = 2\ndropout_levels = 0\n\n[model.discriminator]\nlayers = 1\nbase = 2\n";
const CYCLEGAN: &str = "steps = 4\nbatch_size = 8\nlog_every = 2\nsample_every = 4\ncheckpoint_every = 2\nkeep_checkpoints = 5\n\n\
    [model]\npool = 0\n\n[model.generator]\nbase = 2\nblocks = 1\n\n[model.discriminator]\nbase = 2\n";

/// pix2pix (its batch norms synchronised over the ranks) and CycleGAN in two ranks take the
/// single process's steps; a CycleGAN run with an image pool resumes from one world size into
/// the other (the pools travel with the leader's state).
#[test]
fn translation_runs_train_data_parallel() {
    let t = tempfile::tempdir().unwrap();
    for (preset, config) in [
        ("edges2fashion-pix2pix", PIX2PIX.to_string()),
        ("mnist-thick-cyclegan", CYCLEGAN.to_string()),
        ("mnist-thick-cyclegan", CYCLEGAN.replace("pool = 0", "pool = 6")),
    ] {
        let dir = t.path().join(format!("{preset}-{}", config.contains("pool = 6")));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("c.toml"), &config).unwrap();
        let base = ["--threads", "1", "train", "--preset", preset, "--config", "c.toml", "--no-progress", "--out"];
        ok(&[&base[..], &["single"]].concat(), &dir);
        ok(&[&base[..], &["dual", "--nproc", "2"]].concat(), &dir);
        if preset.contains("pix2pix") {
            for step in [2, 4] {
                assert_same_steps(preset, &dir.join("single"), &dir.join("dual"), step);
            }
            continue;
        }
        if !config.contains("pool = 6") {
            // Every CycleGAN convolution but the last of each network is followed by an
            // InstanceNorm without affine parameters, which cancels its bias: those biases'
            // gradients are rounding noise, which Adam turns into steps of about lr either
            // way (measured: one process on 1 and on 2 threads differs in exactly these 72
            // elements, by up to 3.6e-4 at step 2). Every other weight agrees to 1e-5.
            let normed_bias = |n: &str| n.ends_with(".bias") && ![".head.", "d_a.conv0.", "d_b.conv0.", ".conv3."].iter().any(|l| n.contains(l));
            for step in [2, 4] {
                for f in ["generator.safetensors", "discriminator.safetensors"] {
                    let (off, all, max) = differing_but(&dir.join("single"), &dir.join("dual"), step, f, &normed_bias);
                    assert!(off == 0, "cyclegan {f} step {step}: {off} of {all} elements differ, by up to {max:e}");
                }
            }
            continue;
        }
        std::fs::write(dir.join("longer.toml"), config.replace("steps = 4", "steps = 6")).unwrap();
        ok(&["--threads", "1", "train", "--resume", "dual", "--config", "longer.toml", "--no-progress"], &dir);
        ok(&["--threads", "1", "train", "--resume", "single", "--config", "longer.toml", "--no-progress", "--nproc", "2"], &dir);
        let steps: Vec<u64> = gan::run::metrics::read_metrics(&dir.join("single/metrics.jsonl")).unwrap().iter().map(|m| m.step).collect();
        assert_eq!(steps, vec![2, 4, 6]);
    }
}

/// torchrun (from the venv beside the Python that `make test` exports) starts two ranks of
/// the binary, with its own agent-served store; the run they write resumes in one process.
#[test]
fn torchrun_launches_the_binary_and_its_run_resumes_alone() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = setup(t.path(), &MLP.replace("steps = 20", "steps = 4"));
    let torchrun = python().parent().unwrap().join("torchrun");
    assert!(torchrun.exists(), "{} is missing (scripts/setup-libtorch.sh installs it with torch)", torchrun.display());
    let o = std::process::Command::new(&torchrun)
        .args(["--no-python", "--nproc-per-node", "2", env!("CARGO_BIN_EXE_gan"), "--threads", "1", "train", "--preset", "mnist-mlp"])
        .args(["--config", &cfg, "--data", &data, "--no-progress", "--out", "tr"])
        .current_dir(t.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("on each of 2 ranks (gloo)"), "{}", stderr(&o));
    let longer = t.path().join("longer.toml");
    std::fs::write(&longer, MLP.replace("steps = 20", "steps = 6")).unwrap();
    ok(&["--threads", "1", "train", "--resume", "tr", "--config", longer.to_str().unwrap(), "--no-progress"], t.path());
    assert!(t.path().join("tr/checkpoints/step-00000006").is_dir());
}

#[test]
fn a_killed_rank_stops_the_other_without_a_partial_checkpoint() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = setup(t.path(), &MLP.replace("steps = 20", "steps = 1000000").replace("checkpoint_every = 2", "checkpoint_every = 50"));
    let mut leader = gan()
        .args([
            "--threads",
            "1",
            "train",
            "--preset",
            "mnist-mlp",
            "--config",
            &cfg,
            "--data",
            &data,
            "--no-progress",
            "--out",
            "run",
            "--nproc",
            "2",
            "--dist-timeout",
            "20",
        ])
        .current_dir(t.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first checkpoint, then kill rank 1 (the leader's child).
    let start = Instant::now();
    while !t.path().join("run/checkpoints/latest").exists() {
        assert!(start.elapsed() < Duration::from_secs(120), "no checkpoint within two minutes");
        std::thread::sleep(Duration::from_millis(100));
    }
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", leader.id())).unwrap();
    let child = children.split_whitespace().next().expect("rank 1 runs").to_string();
    assert!(std::process::Command::new("kill").args(["-9", &child]).status().unwrap().success());
    let killed = Instant::now();
    let status = leader.wait().unwrap();
    assert!(killed.elapsed() < Duration::from_secs(20), "the leader took {:?} to stop", killed.elapsed());
    let mut err = String::new();
    std::io::Read::read_to_string(leader.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(!status.success());
    assert!(err.contains("rank 1 lost"), "{err}");
    // Every checkpoint left is whole: no half-written one, and the newest loads.
    for e in std::fs::read_dir(t.path().join("run/checkpoints")).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(!name.starts_with(".tmp"), "partial checkpoint {name}");
    }
    ok(&["sample", "--run", "run", "--n", "4", "--out", "s.png"], t.path());
}

#[test]
fn bad_setups_fail_with_one_line_naming_the_problem() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = setup(t.path(), MLP);
    let train = ["--threads", "1", "train", "--preset", "mnist-mlp", "--config", &cfg, "--data", &data, "--no-progress", "--dist-timeout", "3"];
    // Nobody serves the store at this address.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let start = Instant::now();
    let o = gan()
        .args([&train[..], &["--out", "lonely"]].concat())
        .current_dir(t.path())
        .envs([("WORLD_SIZE", "2"), ("RANK", "1"), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", port.as_str())])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("127.0.0.1:{port}")) && stderr(&o).contains("within 3 s"), "{}", stderr(&o));
    assert!(start.elapsed() < Duration::from_secs(30));
    // Two ranks started with different seeds.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let spawn = |rank: &str, seed: &str, out: &str| {
        gan()
            .args([&train[..], &["--seed", seed, "--out", out]].concat())
            .current_dir(t.path())
            .envs([("WORLD_SIZE", "2"), ("RANK", rank), ("MASTER_ADDR", "127.0.0.1"), ("MASTER_PORT", port.as_str())])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (r0, r1) = (spawn("0", "1", "a"), spawn("1", "2", "b"));
    let (o0, o1) = (r0.wait_with_output().unwrap(), r1.wait_with_output().unwrap());
    assert!(!o0.status.success() && !o1.status.success());
    assert!(stderr(&o1).contains("rank 1 has a different configuration than rank 0"), "{}", stderr(&o1));
    // Three ranks cannot split a batch of two.
    let small = t.path().join("small.toml");
    std::fs::write(&small, MLP.replace("batch_size = 64", "batch_size = 2")).unwrap();
    let o = run(
        &[
            "--threads",
            "1",
            "train",
            "--preset",
            "mnist-mlp",
            "--config",
            small.to_str().unwrap(),
            "--data",
            &data,
            "--nproc",
            "3",
            "--out",
            "c",
            "--dist-timeout",
            "20",
        ],
        t.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("global batch_size (2) must be a multiple of the world size (3)"), "{}", stderr(&o));
}
