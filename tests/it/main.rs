//! The workspace's test binary: one module per area.

mod aws_errors;
mod aws_errors_scripted;
mod cli_env;
mod conformance;
mod conformance_boto3;
mod conformance_dynamodb;
mod conformance_engine;
mod conformance_s3;
mod conformance_ses;
mod custom_moto;
mod deploy_moto;
mod deploy_scripted;
mod dev_logs;
mod doctor_cli;
mod fixtures;
mod gen_moto;
mod lambda_artifacts;
mod lambda_plumbing;
mod loader_fuzz;
mod package_moto;
mod policies;
mod record_lines_moto;
mod runtime_moto;
mod stack_moto;
mod stages_moto;
mod synth;
