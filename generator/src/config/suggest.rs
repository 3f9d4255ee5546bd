//! "Did you mean …?" for misspelt keys, names and enum values.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::jaro_winkler(&word, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// A `help:` text: "did you mean `x`?" or the list of what is allowed.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    if let Some(candidate) = closest(word, candidates.clone()) {
        format!("did you mean `{candidate}`?")
    } else {
        {
            let list: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
            if list.is_empty() {
                "there are none yet".to_owned()
            } else {
                format!("{what}: {}", list.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let keys = ["batch_size", "batching_window", "queue", "max_concurrency"];
        assert_eq!(closest("batchsize", keys), Some("batch_size"));
        assert_eq!(closest("queu", keys), Some("queue"));
        assert_eq!(closest("Queue", keys), Some("queue"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(
            did_you_mean("zzz", ["a", "b"], "known keys"),
            "known keys: `a`, `b`"
        );
        assert_eq!(did_you_mean("zzz", [], "known keys"), "there are none yet");
    }
}
