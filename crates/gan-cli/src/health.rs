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
    parts.extend(cleared(seen));
    let verdict = if active.is_empty() { "recovered" } else { "unhealthy" };
    format!("{verdict}: {}", parts.join("; "))
}

/// The cleared episodes, one phrase per kind of diagnosis in order of first appearance: a
/// single one with its steps, repeated ones summarised (a long run can have dozens).
fn cleared(seen: &[Diagnosis]) -> Vec<String> {
    let episodes: Vec<&Diagnosis> = seen.iter().filter(|d| d.transition == Transition::Cleared).collect();
    let mut kinds = Vec::new();
    for d in &episodes {
        if !kinds.contains(&d.kind) {
            kinds.push(d.kind);
        }
    }
    kinds
        .into_iter()
        .map(|kind| {
            let of: Vec<&&Diagnosis> = episodes.iter().filter(|d| d.kind == kind).collect();
            match of.as_slice() {
                [d] => format!("{} from step {} to {} (cleared)", kind.describe(), d.since_step, d.step),
                many => {
                    let steps: u64 = many.iter().map(|d| d.step.saturating_sub(d.since_step)).sum();
                    let (first, last) = (many[0].since_step, many[many.len() - 1].step);
                    format!("{} {} times between steps {first} and {last} ({steps} steps in all, each cleared)", kind.describe(), many.len())
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gan::doctor::DiagnosisKind;

    fn cleared_at(kind: DiagnosisKind, since: u64, step: u64) -> Diagnosis {
        Diagnosis { step, since_step: since, kind, transition: Transition::Cleared, evidence: String::new(), advice: String::new() }
    }

    /// Twelve episodes of one diagnosis read as one phrase; a single other one keeps its steps.
    #[test]
    fn repeated_episodes_of_a_diagnosis_are_summarised() {
        let mut seen: Vec<Diagnosis> = (0..12).map(|i| cleared_at(DiagnosisKind::ExplodingGradient, 1000 * i + 100, 1000 * i + 300)).collect();
        seen.insert(3, cleared_at(DiagnosisKind::ModeCollapse, 2500, 2750));
        let h = history(&seen);
        assert_eq!(
            h,
            format!(
                "recovered: {} 12 times between steps 100 and 11300 (2400 steps in all, each cleared); {} from step 2500 to 2750 (cleared)",
                DiagnosisKind::ExplodingGradient.describe(),
                DiagnosisKind::ModeCollapse.describe()
            )
        );
    }
}
