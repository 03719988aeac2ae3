//! How the doctor's diagnoses read in the terminal: one line when one starts or clears, and
//! the health summary at the end of `gan train` and in `gan doctor`.

use gan::doctor::{active_of, Diagnosis, Transition};

/// The line for a diagnosis that starts or clears.
pub fn line(d: &Diagnosis) -> String {
    match d.transition {
        Transition::Started => format!("doctor: step {}: {} since step {}: {}; try: {}", d.step, d.kind.describe(), d.since_step, d.evidence, d.advice),
        Transition::Cleared => format!("doctor: step {}: {} has cleared (it began at step {})", d.step, d.kind.describe(), d.since_step),
    }
}

/// "healthy", or what went wrong and when, from every transition of a run.
pub fn summary(checks: u64, seen: &[Diagnosis], every: u64) -> String {
    match (seen.is_empty(), checks, every) {
        (true, _, 0) => "not checked ([doctor] every = 0)".into(),
        (true, 0, _) => format!("not checked yet (the doctor looks every {every} steps)"),
        (true, n, _) => format!("healthy ({n} checks, no diagnosis)"),
        (false, _, _) => history(seen),
    }
}

/// What the transitions say: "no diagnosis", or the diagnoses still active and those cleared.
pub fn history(seen: &[Diagnosis]) -> String {
    if seen.is_empty() {
        return "no diagnosis".into();
    }
    let active = active_of(seen);
    let mut parts: Vec<String> =
        active.iter().map(|d| format!("{} since step {} (still at the end): {}", d.kind.describe(), d.since_step, d.evidence)).collect();
    for d in seen.iter().filter(|d| d.transition == Transition::Cleared) {
        parts.push(format!("{} from step {} to {} (cleared)", d.kind.describe(), d.since_step, d.step));
    }
    let verdict = if active.is_empty() { "recovered" } else { "unhealthy" };
    format!("{verdict}: {}", parts.join("; "))
}
