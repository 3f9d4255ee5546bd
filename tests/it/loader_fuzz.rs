//! Arbitrary bytes into the loader: it may reject them, it must never panic.

use proptest::prelude::*;

/// YAML-ish fragments, so generated inputs reach past the tokenizer into the schema and rules.
fn yamlish() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "pipeline: shop\n",
        "region: us-east-1\n",
        "queues:\n",
        "  orders:\n",
        "    dead_letter: orders\n",
        "    max_receive_count: 3\n",
        "functions:\n",
        "  f:\n",
        "    handler: order_processor\n",
        "    trigger: { queue: orders, batch_size: 20000 }\n",
        "    writes: { bucket: b, notify: orders }\n",
        "discounts:\n",
        "  currency: USD\n",
        "  promo_codes: { A: { percent: 1e400 } }\n",
        "- ",
        ": ",
        "\t",
        "&a ",
        "*a ",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "'",
        "#",
        "---\n",
        "? ",
        "!tag ",
        "0x",
        "-.5",
        "\u{feff}",
        "é",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let loaded = generator::config::load("fuzz.yaml", &bytes);
        let _ = loaded.report.render(false);
    }

    #[test]
    fn yaml_like_text_never_panics(text in yamlish()) {
        let loaded = generator::config::load("fuzz.yaml", text.as_bytes());
        let _ = loaded.report.render(false);
        if loaded.report.errors() == 0 {
            prop_assert!(loaded.pipeline.is_some());
        }
    }
}
