//! The scalars a run logs, under TensorBoard tags grouped by concern (`loss/`, `score/`,
//! `grad_norm/`, `vae/`, `translation/`, `speed/`, `eval/`).

use crate::run::metrics::StepMetrics;

/// One `metrics.jsonl` record's numbers as tagged scalars (absent ones left out).
pub fn metric_scalars(m: &StepMetrics) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut put = |tag: &str, v: Option<f64>| {
        if let Some(v) = v {
            out.push((tag.to_string(), v));
        }
    };
    put("loss/d", m.d_loss);
    put("loss/g", m.g_loss);
    put("score/d_real", m.d_real);
    put("score/d_fake", m.d_fake);
    put("loss/wasserstein", m.wasserstein);
    put("loss/penalty", m.penalty);
    put("grad_norm/d", m.d_grad_norm);
    put("grad_norm/g", m.g_grad_norm);
    if let Some(v) = &m.vae {
        put("vae/loss", Some(v.loss));
        put("vae/reconstruction", Some(v.reconstruction));
        put("vae/kl", Some(v.kl));
    }
    if let Some(t) = &m.translation {
        put("translation/l1", t.l1);
        put("translation/cycle", t.cycle);
        put("translation/identity", t.identity);
    }
    put("speed/epoch", Some(m.epoch));
    put("speed/steps_per_sec", Some(m.steps_per_sec));
    out
}

/// Every number of a JSON document (an evaluation report) as `prefix/path/to/field`
/// scalars; array elements go by their `direction` or `name` field, else are numbered. The report's own bookkeeping (`step`, `seed`,
/// `samples`) is left out.
pub fn json_scalars(prefix: &str, value: &serde_json::Value) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    walk(prefix, value, &mut out);
    out
}

fn walk(tag: &str, value: &serde_json::Value, out: &mut Vec<(String, f64)>) {
    match value {
        serde_json::Value::Number(n) => out.extend(n.as_f64().map(|v| (tag.to_string(), v))),
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                // Rows that name themselves (a translation report's directions) go by name.
                let name = ["direction", "name"].iter().find_map(|k| v.get(k).and_then(|n| n.as_str()));
                walk(&name.map_or_else(|| format!("{tag}/{i}"), |n| format!("{tag}/{n}")), v, out);
            }
        }
        serde_json::Value::Object(fields) => {
            for (k, v) in fields {
                if !(tag.split('/').count() == 1 && matches!(k.as_str(), "step" | "seed" | "samples")) {
                    walk(&format!("{tag}/{k}"), v, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_flatten_to_tags() {
        let report = serde_json::json!({"step": 300, "seed": 0, "samples": 10, "model": "gan",
            "features": {"fid": 12.5, "kid": {"mean": 0.01}}, "classes": {"per_class": [0.1, 0.2]}, "ok": true,
            "scores": [{"direction": "a2b", "l1": 0.5}]});
        let mut got = json_scalars("eval", &report);
        got.sort_by(|a, b| a.0.cmp(&b.0));
        let want: Vec<(String, f64)> = [
            ("eval/classes/per_class/0", 0.1),
            ("eval/classes/per_class/1", 0.2),
            ("eval/features/fid", 12.5),
            ("eval/features/kid/mean", 0.01),
            ("eval/scores/a2b/l1", 0.5),
        ]
        .into_iter()
        .map(|(t, v)| (t.to_string(), v))
        .collect();
        assert_eq!(got, want);
    }
}
