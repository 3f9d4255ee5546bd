//! AWS failures as a person meets them at the command line: one line saying what failed and
//! `help:` lines saying what to do, never the SDK's debug structures (`--verbose` adds those).

use super::cli_env::{CliEnv, readable};

#[test]
fn no_credentials_say_where_gen_looked_and_how_to_get_some() {
    let env = CliEnv::without_credentials();
    let output = env.run(&["ls"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(env.shown(&output.stdout), "");
    insta::assert_snapshot!(readable(&env.shown(&output.stderr)));
}

#[test]
fn a_deploy_without_credentials_stops_at_the_first_call_with_the_same_message() {
    let env = CliEnv::without_credentials();
    let binaries = env.dir.path().join("binaries");
    std::fs::create_dir(&binaries).expect("binaries folder");
    for function in ["task", "notification", "dlq-processor"] {
        std::fs::write(
            binaries.join(generator::config::naming::crate_name("orders", function)),
            b"#!/bin/sh\n",
        )
        .expect("a binary");
    }
    let output = env.run(&["deploy", "--binaries", "binaries", "--yes"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(readable(&env.shown(&output.stderr)));
}

#[test]
fn an_unknown_profile_is_named_with_the_ones_that_exist() {
    let env = CliEnv::without_credentials();
    env.config_file("[profile dev]\nregion = eu-west-1\n\n[profile prod]\nregion = eu-west-1\n");
    let output = env.run(&["ls", "--profile", "bogus"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(readable(&env.shown(&output.stderr)));
}

#[test]
fn an_endpoint_that_does_not_answer_is_named() {
    let env = CliEnv::with_dummy_credentials();
    let endpoint = format!("http://127.0.0.1:{}", tests::free_port());
    let output = env.run(&["ls", "--endpoint-url", &endpoint]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = env
        .shown(&output.stderr)
        .replace(&endpoint, "http://127.0.0.1:[PORT]");
    insta::assert_snapshot!(readable(&stderr));
}

#[test]
fn verbose_adds_the_full_cause_chain_for_a_bug_report() {
    let env = CliEnv::with_dummy_credentials();
    let endpoint = format!("http://127.0.0.1:{}", tests::free_port());
    let output = env.run(&["ls", "--endpoint-url", &endpoint, "--verbose"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = env.shown(&output.stderr);
    assert!(
        stderr.starts_with(&format!("error: nothing answers at `{endpoint}`")),
        "{stderr}"
    );
    assert!(stderr.contains("\ncaused by:\n  0: "), "{stderr}");
    assert!(stderr.contains("ConnectorError"), "{stderr}");
}
