//! `gen check`: fails when `generated/` differs from a fresh synth, with a short diff.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use similar::TextDiff;

use crate::cli::CheckArgs;
use crate::commands::{CommandError, ExitStatus, load_pipeline};
use crate::generate::{LAMBDAS_DIR, generated_files};
use crate::printer::Printer;
use crate::synth::SynthOptions;
use crate::workspace::PipelineDirs;

/// Diff lines shown per stale file.
const MAX_DIFF_LINES: usize = 40;

pub fn run(args: &CheckArgs, printer: &Printer) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let files = match generated_files(&pipeline, &SynthOptions::default()) {
        Ok(files) => files,
        Err(error) => {
            printer.note(&format!("error: {error}\n"));
            return Ok(ExitStatus::Failure);
        }
    };
    let dirs = PipelineDirs::of(&args.file, args.dir.as_deref());
    let dir = dirs.generated.clone();
    let mut report = String::new();
    let mut stale = 0;
    for function in pipeline.functions.values() {
        let Some(code) = &function.code else {
            continue;
        };
        if !dirs.root.join(code).join("Cargo.toml").is_file() {
            stale += 1;
            let _ = writeln!(
                report,
                "{}: the crate of custom handler `{}` is missing (`gen synth` writes a starter there)",
                dirs.root.join(code).display(),
                function.name
            );
        }
    }
    for file in &files {
        let path = dir.join(&file.path);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        if on_disk == file.contents {
            continue;
        }
        stale += 1;
        let shown = format!("{}/{}", dir.display(), file.path);
        let diff = TextDiff::from_lines(&on_disk, &file.contents);
        let unified = diff
            .unified_diff()
            .context_radius(2)
            .header(&shown, &format!("{shown} (fresh)"))
            .to_string();
        let lines: Vec<&str> = unified.lines().collect();
        for line in lines.iter().take(MAX_DIFF_LINES) {
            let _ = writeln!(report, "{line}");
        }
        if lines.len() > MAX_DIFF_LINES {
            let _ = writeln!(report, "… {} more diff lines", lines.len() - MAX_DIFF_LINES);
        }
    }
    let expected: BTreeSet<String> = files.iter().map(|file| file.path.clone()).collect();
    for extra in owned_files(&dir)
        .into_iter()
        .filter(|path| !expected.contains(path))
    {
        stale += 1;
        let _ = writeln!(
            report,
            "{}/{extra}: no function generates this file any more",
            dir.display()
        );
    }
    if stale == 0 {
        return Ok(ExitStatus::Success);
    }
    printer.note(&format!(
        "{report}error: `{}` is stale: {stale} file(s) differ from a fresh `gen synth` of `{}`\nhint: run `gen synth{}` and commit the result\n",
        dir.display(),
        args.file.display(),
        super::file_flag(&args.file)
    ));
    Ok(ExitStatus::Failure)
}

/// Files under `lambdas/` (relative, `/`-separated): everything there is generated.
pub(crate) fn owned_files(out_dir: &Path) -> Vec<String> {
    let lambdas = out_dir.join(LAMBDAS_DIR);
    super::synth::walk(&lambdas)
        .into_iter()
        .filter(|path| path.is_file())
        .filter_map(|path| {
            let relative = path.strip_prefix(out_dir).ok()?;
            // Build output of a generated crate is not ours to police.
            if relative
                .components()
                .any(|part| part.as_os_str() == "target")
            {
                return None;
            }
            Some(
                relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/"),
            )
        })
        .collect()
}
