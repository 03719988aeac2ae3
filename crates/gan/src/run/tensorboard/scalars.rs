//! The scalars a run logs, under TensorBoard tags grouped by concern (`loss/`, `score/`,
//! `grad_norm/`, `vae/`, `translation/`, `speed/`, `eval/`).

use crate::run::metrics::StepMetrics;

/// One `metrics.jsonl` record's numbers as tagged scalars, in report order, then the
/// epoch and the speed.
pub fn metric_scalars(m: &StepMetrics) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = m.scalars.iter().map(|(name, v)| (tag(name), v)).collect();
    out.push(("speed/epoch".into(), m.epoch));
    out.push(("speed/steps_per_sec".into(), m.steps_per_sec));
    out
}

/// The TensorBoard tag of a scalar: the built-in families' names grouped by concern, any other
/// dotted name with slashes (`pl.penalty` is `pl/penalty`), a plain one under `metrics/`.
pub fn tag(name: &str) -> String {
    let known = match name {
        "d_loss" => "loss/d",
        "g_loss" => "loss/g",
        "d_real" => "score/d_real",
        "d_fake" => "score/d_fake",
        "wasserstein" => "loss/wasserstein",
        "penalty" => "loss/penalty",
        "d_grad_norm" => "grad_norm/d",
        "g_grad_norm" => "grad_norm/g",
        _ if name.contains('.') => return name.replace('.', "/"),
        _ => return format!("metrics/{name}"),
    };
    known.to_string()
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
