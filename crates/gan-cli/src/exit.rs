//! Exit codes: 0 success, 1 user error (bad arguments, config, data, run directory),
//! 2 internal error (anything else, and panics, e.g. from libtorch). Errors print as one
//! line on stderr.

use gan::GanError;

/// Marks an error as the user's (exit 1) when it is not a library error.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// Shorthand for a user error with a message.
pub fn user(msg: impl Into<String>) -> anyhow::Error {
    UserError(msg.into()).into()
}

fn is_user_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<UserError>().is_some() || c.downcast_ref::<GanError>().is_some() || c.downcast_ref::<gan_data::DataError>().is_some())
}

/// Prints an error (one line, its context chain joined with ": ") and returns the exit code.
pub fn report(result: anyhow::Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            if let Some(GanError::Stopped { signal, step, checkpoint, run }) = e.chain().find_map(|c| c.downcast_ref::<GanError>()) {
                // A follower rank (no checkpoint, a scratch directory) leaves the line to the leader.
                if let Some(p) = checkpoint {
                    eprintln!(
                        "stopped by {} at step {step} (checkpoint {}); continue with: gan train --resume {}",
                        crate::signals::name(*signal),
                        p.display(),
                        run.display()
                    );
                }
                return 128 + *signal as i32;
            }
            // Library messages already quote their cause; print each text once.
            let mut line = String::new();
            for cause in e.chain().map(|c| c.to_string().replace('\n', " ")) {
                if !line.contains(&cause) {
                    if !line.is_empty() {
                        line.push_str(": ");
                    }
                    line.push_str(&cause);
                }
            }
            eprintln!("error: {line}");
            if e.chain().any(|c| matches!(c.downcast_ref::<GanError>(), Some(GanError::Diverged { .. }))) {
                3
            } else if is_user_error(&e) {
                1
            } else {
                2
            }
        }
    }
}

/// Reports a panic (a bug, or a libtorch failure) as one line and exits 2.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("error: internal error{at}: {}", msg.replace('\n', " "));
        std::process::exit(2);
    }));
}

/// Help and version exit 0; argument errors exit 1 (clap's own default would be 2).
pub fn clap_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            std::process::exit(0)
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid arguments");
            eprintln!("{}", first.trim());
            std::process::exit(1)
        }
    }
}
