#!/usr/bin/env bash
# The one command that passes every check: installs the pinned test tools, then formatting,
# lints and all tests. CI (.ci/run) calls exactly this; run it from anywhere in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> test tools (.venv, pinned in tests/requirements.txt)"
if [ ! -f .venv/.installed ] || ! cmp -s tests/requirements.txt .venv/.installed; then
  # An existing venv is reused (it may be a link to a shared one); only new packages go in.
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt
  cp tests/requirements.txt .venv/.installed
fi
echo "==> cdk-nag (tests/cdk-nag, pinned in its package-lock.json)"
if [ ! -f tests/cdk-nag/node_modules/.installed ] \
  || ! cmp -s tests/cdk-nag/package-lock.json tests/cdk-nag/node_modules/.installed; then
  npm ci --prefix tests/cdk-nag --ignore-scripts --no-audit --no-fund --loglevel=error
  cp tests/cdk-nag/package-lock.json tests/cdk-nag/node_modules/.installed
fi
echo "==> chromium, playwright-core and mermaid for the browser tests (tests/browser, pinned in its package-lock.json: the dashboard, every mermaid diagram), graphviz for the gen graph DOT check"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/dot ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium graphviz > /dev/null
fi
if [ ! -f tests/browser/node_modules/.installed ] \
  || ! cmp -s tests/browser/package-lock.json tests/browser/node_modules/.installed; then
  npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund --loglevel=error
  cp tests/browser/package-lock.json tests/browser/node_modules/.installed
fi
# generator/tests/dashboard.rs skips its browser part where chromium is missing; not here.
export GEN_BROWSER_TEST=required
export MOTO_SERVER="$PWD/.venv/bin/moto_server"
# Tests talk only to moto and the local engine on 127.0.0.1: dummy credentials, no metadata probes.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> gen check (generated/ matches pipeline.yaml)"
cargo run -q --locked -p generator -- check

echo "==> no build output in git (a tracked file under any target/ folder)"
tracked=$(git ls-files | grep -E '(^|/)target/' || true)
if [ -n "$tracked" ]; then
    printf 'build output is tracked; remove it with `git rm -r --cached`:\n%s\n' "$tracked" >&2
    exit 1
fi

echo "==> cfn-lint, checkov and cdk-nag on every template: root, examples, fixture pipelines, assets stack"
mkdir -p target/lint
cargo run -q --locked -p generator -- bootstrap --show-template > target/lint/bootstrap.template.json
templates=(generated/template.json target/lint/bootstrap.template.json)
for example in examples/*/pipeline.yaml; do
    [ -f "$example" ] || continue
    cargo run -q --locked -p generator -- check -f "$example"
    templates+=("$(dirname "$example")/generated/template.json")
done
for fixture in tests/fixtures/pipelines/*/pipeline.yaml; do
    name=$(basename "$(dirname "$fixture")")
    cargo run -q --locked -p generator -- synth -f "$fixture" --out-dir "target/lint/$name" 2>/dev/null
    templates+=("target/lint/$name/template.json")
done
for template in "${templates[@]}"; do
    echo "    $template"
    .venv/bin/cfn-lint "$template"
    .venv/bin/checkov -f "$template" --skip-download --quiet --compact
    node tests/cdk-nag/check.js "$template"
done

echo "==> cdk-nag gate fails on findings the template does not acknowledge"
if node tests/cdk-nag/check.js tests/cdk-nag/unsuppressed.template.json > target/lint/unsuppressed.out; then
    echo "tests/cdk-nag/check.js passed a template with unacknowledged findings" >&2
    exit 1
fi
for rule in 'AwsSolutions-S1 Bucket' 'AwsSolutions-S10 Bucket' 'AwsSolutions-IAM5[Resource::<Bucket.Arn>/other/*] Role'; do
    grep -qF "$rule" target/lint/unsuppressed.out || { echo "missing finding: $rule" >&2; exit 1; }
done

echo "==> cargo test"
cargo test --workspace --locked

echo "==> Lambda artifacts: gen deploy's build for arm64 and x86_64 (cargo lambda, zig), each checked, shipped to moto"
# Release builds of both targets, in the shared target directory; `gen deploy` in the test then
# finds nothing to compile. The figures (times, ELF machine, glibc, zip sizes) are printed.
if command -v rustup > /dev/null; then
    rustup target add aarch64-unknown-linux-gnu x86_64-unknown-linux-gnu 2> /dev/null
fi
started=$SECONDS
PATH="$PWD/.venv/bin:$PATH" cargo test -q --locked -p tests --test it -- \
    --ignored --exact lambda_artifacts::built_and_shipped --nocapture
echo "    Lambda artifacts took $((SECONDS - started)) s"

echo "==> gen deploy at a terminal: Ctrl-C, n and y at the question (moto)"
cargo build -q --locked -p generator
.venv/bin/python scripts/deploy-prompt.py "${CARGO_TARGET_DIR:-target}/debug/gen"

echo "==> gen dev --demo (the seed pipeline end to end on the local engine)"
cargo run -q --locked -p generator -- dev --demo

for example in examples/*/pipeline.yaml; do
    [ -f "$example" ] || continue
    echo "==> gen dev --demo -f $example"
    cargo run -q --locked -p generator -- dev --demo -f "$example"
done

echo "==> fault run: 300 orders, 5% poison, 10% duplicates, a store outage, crashes mid-batch"
cargo run -q --locked -p generator -- dev --demo --orders 300 --store-outage 1s:4s \
  --crash-rate 0.1 --store-failure-rate 0.02 --store-latency-ms 20 --timeout 300
