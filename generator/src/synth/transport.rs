//! TLS only: the resource-policy statement that denies every request made without TLS, shared
//! by bucket policies and queue policies.

use super::template::Expr;

/// A policy document with one statement denying `action` on `resources` unless the request
/// came over TLS (`aws:SecureTransport`).
pub(super) fn deny_insecure_transport(action: &str, resources: Vec<Expr>) -> Expr {
    policy_document([deny_insecure_transport_statement(action, resources)])
}

/// The statement of [`deny_insecure_transport`], for documents with more statements.
pub(super) fn deny_insecure_transport_statement(action: &str, resources: Vec<Expr>) -> Expr {
    Expr::map([
        ("Sid", Expr::str("DenyInsecureTransport")),
        ("Effect", Expr::str("Deny")),
        ("Principal", Expr::str("*")),
        ("Action", Expr::str(action)),
        ("Resource", Expr::List(resources)),
        (
            "Condition",
            Expr::map([(
                "Bool",
                Expr::map([("aws:SecureTransport", Expr::str("false"))]),
            )]),
        ),
    ])
}

/// A policy document of `statements`.
pub(super) fn policy_document(statements: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::map([
        ("Version", Expr::str("2012-10-17")),
        ("Statement", Expr::list(statements)),
    ])
}
