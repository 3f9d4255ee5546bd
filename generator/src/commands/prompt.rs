//! The yes/no question `gen deploy`, `gen destroy` and `gen gc` ask at a terminal.

use std::io::{IsTerminal as _, Write as _};

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;

use crate::printer::Printer;

/// Whether a person can answer: stdin is a terminal.
pub(crate) fn at_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks `question [y/N]` on stderr; only `y` or `yes` is a yes. The answer is read on a
/// blocking thread so that Ctrl-C at the prompt still reaches the command awaiting it.
pub(crate) fn ask(printer: &Printer, question: &str) -> BoxFuture<'static, bool> {
    printer.note(&format!("{question} [y/N] "));
    let _ = std::io::stderr().flush();
    async {
        tokio::task::spawn_blocking(|| {
            let mut answer = String::new();
            std::io::stdin().read_line(&mut answer).is_ok()
                && matches!(answer.trim(), "y" | "Y" | "yes")
        })
        .await
        .unwrap_or(false)
    }
    .boxed()
}
