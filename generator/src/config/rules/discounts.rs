//! The discount table: one kind per promo, codes unique ignoring case, cents only, tiers rising.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::Checker;
use crate::diagnostic::Diagnostic;

pub(super) fn check(checker: &mut Checker<'_>) {
    let Some(discounts) = &checker.config.discounts else {
        return;
    };
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let mut amounts: Vec<(Vec<String>, Decimal)> = Vec::new();
    // In source order, so "first defined" means first in the file.
    let mut codes: Vec<_> = discounts.promo_codes.iter().collect();
    codes.sort_by_key(|(code, _)| {
        checker
            .key(&["discounts", "promo_codes", code.as_str()])
            .offset
    });
    for (code, promo) in codes {
        let entry = ["discounts", "promo_codes", code.as_str()];
        match (&promo.percent, &promo.amount) {
            (Some(_), Some(_)) | (None, None) => {
                let span = checker.key(&entry);
                let both = promo.percent.is_some();
                checker.push(
                    Diagnostic::error("promo-kind", format!("promo `{code}` needs exactly one of `percent` or `amount`{}", if both { ", not both" } else { "" }))
                        .at(span, if both { "has both" } else { "has neither" })
                        .help("`percent: 10` takes 10% off the subtotal; `amount: 5.00` takes a fixed 5.00 off"),
                );
            }
            _ => {}
        }
        if let Some(first) = seen.insert(code.to_uppercase(), code) {
            let span = checker.key(&entry);
            let first_span = checker.key(&["discounts", "promo_codes", first]);
            checker.push(
                Diagnostic::error(
                    "promo-duplicate",
                    format!("promo `{code}` duplicates `{first}`: codes are matched ignoring case"),
                )
                .at(span, "same code")
                .related(first_span, "first defined here")
                .help("remove one of them"),
            );
        }
        for (field, amount) in [
            ("amount", promo.amount),
            ("min_subtotal", promo.min_subtotal),
        ] {
            if let Some(amount) = amount {
                amounts.push((
                    entry
                        .iter()
                        .map(|s| (*s).to_owned())
                        .chain([field.to_owned()])
                        .collect(),
                    amount.0,
                ));
            }
        }
        if promo.amount.is_some_and(|amount| amount.0.is_zero()) {
            let span = checker.value(&["discounts", "promo_codes", code, "amount"]);
            checker.push(
                Diagnostic::warning("promo-zero", format!("promo `{code}` takes nothing off"))
                    .at(span, "zero amount")
                    .help("remove the code or give it an amount"),
            );
        }
    }
    for (index, tier) in discounts.bulk_tiers.iter().enumerate() {
        amounts.push((
            vec![
                "discounts".into(),
                "bulk_tiers".into(),
                index.to_string(),
                "min_subtotal".into(),
            ],
            tier.min_subtotal.0,
        ));
    }
    for (path, amount) in amounts {
        if amount.scale() > 2 && amount.normalize().scale() > 2 {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let span = checker.value(&path);
            checker.push(
                Diagnostic::error(
                    "amount-precision",
                    format!("`{amount}` has more than 2 decimal places"),
                )
                .at(span, "sub-cent amount")
                .help(format!(
                    "amounts are in {}; round to cents, e.g. `{}`",
                    discounts.currency,
                    amount.round_dp(2)
                )),
            );
        }
    }
    tiers(checker);
}

fn tiers(checker: &mut Checker<'_>) {
    let Some(discounts) = &checker.config.discounts else {
        return;
    };
    for (index, pair) in discounts.bulk_tiers.windows(2).enumerate() {
        let (lower, upper) = (&pair[0], &pair[1]);
        let at = (index + 1).to_string();
        if upper.min_subtotal <= lower.min_subtotal {
            let span = checker.value(&["discounts", "bulk_tiers", &at, "min_subtotal"]);
            let previous = checker.value(&[
                "discounts",
                "bulk_tiers",
                &index.to_string(),
                "min_subtotal",
            ]);
            checker.push(
                Diagnostic::error(
                    "tier-order",
                    format!(
                        "bulk tier {} starts at {}, not above the tier before it ({})",
                        index + 2,
                        upper.min_subtotal,
                        lower.min_subtotal
                    ),
                )
                .at(span, "must be greater")
                .related(previous, "previous tier")
                .help("list tiers by strictly increasing `min_subtotal`"),
            );
        } else if upper.percent < lower.percent {
            let span = checker.value(&["discounts", "bulk_tiers", &at, "percent"]);
            checker.push(
                Diagnostic::warning(
                    "tier-order",
                    format!(
                        "bulk tier {} gives {}, less than the smaller tier before it ({})",
                        index + 2,
                        upper.percent,
                        lower.percent
                    ),
                )
                .at(span, "smaller discount for a bigger order")
                .help("bigger orders usually get at least the discount of smaller ones"),
            );
        }
    }
}
