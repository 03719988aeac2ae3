//! The synchronised batch norm's own arithmetic, in a Gloo group of one (where the group's
//! batch is this rank's): output, running statistics and first-order gradients equal plain
//! training-mode batch norm to 1e-5 relative. (Training compares it end to end in two
//! ranks; through the critic's chaotic steps only a bound holds there, so this is where its
//! formulas are held tight.)

use gan_shim::dist::{Group, GroupConfig};
use tch::{Device, Kind, Tensor};

fn close(what: &str, a: &Tensor, b: &Tensor) {
    let scale = b.abs().max().double_value(&[]).max(1e-6);
    let d = (a - b).abs().max().double_value(&[]) / scale;
    assert!(d < 1e-5, "{what}: off by {d:e} relative");
}

#[test]
fn a_group_of_one_normalises_as_plain_batch_norm_forward_and_backward() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = GroupConfig { host: "127.0.0.1".into(), port, rank: 0, size: 1, agent_store: false, timeout_ms: 30_000, prefix: "t".into() };
    let g = Group::join(&c).unwrap();
    tch::manual_seed(0);
    let opts = (Kind::Float, Device::Cpu);
    let x0 = Tensor::randn([6, 4, 5, 3], opts) * 2.0 + 0.7;
    let w0 = Tensor::rand([4], opts) + 0.5;
    let b0 = Tensor::randn([4], opts);
    let r = Tensor::randn([6, 4, 5, 3], opts);
    let run = |sync: bool| {
        let (x, w, b) = (x0.copy().set_requires_grad(true), w0.copy().set_requires_grad(true), b0.copy().set_requires_grad(true));
        let (mean, var) = (Tensor::zeros([4], opts), Tensor::ones([4], opts));
        let y = if sync {
            g.sync_batch_norm(&x, &w, &b, &mean, &var, 0.1, 1e-5).unwrap()
        } else {
            x.batch_norm(Some(&w), Some(&b), Some(&mean), Some(&var), true, 0.1, 1e-5, false)
        };
        (&y * &r).sum(Kind::Float).backward();
        [y.detach(), mean, var, x.grad(), w.grad(), b.grad()]
    };
    let (sync, plain) = (run(true), run(false));
    for (i, what) in ["output", "running mean", "running var", "grad x", "grad weight", "grad bias"].iter().enumerate() {
        close(what, &sync[i], &plain[i]);
    }
    assert!(g.failure().is_none());
}
