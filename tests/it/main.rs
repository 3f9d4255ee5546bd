//! The workspace's test binary: one module per area.

mod conformance;
mod conformance_s3;
mod deploy_moto;
mod deploy_scripted;
mod fixtures;
mod gen_moto;
mod loader_fuzz;
mod package_moto;
mod policies;
mod runtime_moto;
mod stack_moto;
mod stages_moto;
mod synth;
