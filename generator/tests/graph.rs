//! `gen graph` on the root pipeline and every example: mermaid, DOT and SVG snapshots, each
//! output checked for what makes it valid where it is used (GitHub's mermaid, rendered by the
//! mermaid library in chromium; graphviz; a browser), and deterministic.

mod scratch {
    pub(crate) mod browser;
    pub(crate) mod workspace;
}

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scratch::browser::Browser;
use scratch::workspace::workspace_root;

/// (snapshot name, pipeline file relative to the workspace): the root pipeline, then each
/// example in name order.
fn pipelines() -> Vec<(String, PathBuf)> {
    let mut examples: Vec<(String, PathBuf)> = std::fs::read_dir(workspace_root().join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|dir| dir.join("pipeline.yaml").is_file())
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            (
                name.clone(),
                PathBuf::from("examples").join(name).join("pipeline.yaml"),
            )
        })
        .collect();
    examples.sort();
    assert!(examples.len() >= 4, "the examples are found: {examples:?}");
    let mut all = vec![("root".to_owned(), PathBuf::from("pipeline.yaml"))];
    all.extend(examples);
    all
}

fn gen_command(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .output()
        .expect("gen runs")
}

fn graph(file: &Path, format: &str) -> String {
    let output = gen_command(&["graph", "-f", file.to_str().unwrap(), "--format", format]);
    assert!(
        output.status.success(),
        "gen graph -f {} --format {format}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The node ids of a pipeline, from the model the renderers draw.
fn node_ids(file: &Path) -> Vec<String> {
    let path = workspace_root().join(file);
    let bytes = std::fs::read(&path).unwrap();
    let loaded = generator::config::load(&path.display().to_string(), &bytes);
    let pipeline = loaded.pipeline.expect("the pipeline is valid");
    generator::graph::Graph::of(&pipeline)
        .nodes
        .into_iter()
        .map(|node| node.id)
        .collect()
}

#[test]
fn mermaid_of_every_pipeline() {
    for (name, file) in pipelines() {
        let mermaid = graph(&file, "mermaid");
        assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
        for line in mermaid.lines().skip(1) {
            // Every label is quoted, so no character in it is read as syntax.
            let quotes = line.matches('"').count();
            assert!(quotes % 2 == 0, "{name}: unbalanced quotes in `{line}`");
            if line.contains('|') {
                assert!(
                    line.contains("|\""),
                    "{name}: an unquoted edge label in `{line}`"
                );
            }
        }
        assert_eq!(
            mermaid,
            graph(&file, "mermaid"),
            "{name}: not deterministic"
        );
        insta::assert_snapshot!(format!("mermaid-{name}"), mermaid);
    }
}

#[test]
fn dot_of_every_pipeline() {
    // graphviz, when installed (`apt-get install graphviz`), reads each file; the structure is
    // checked either way.
    let dot_installed = Command::new("dot").arg("-V").output().is_ok();
    for (name, file) in pipelines() {
        let dot = graph(&file, "dot");
        assert!(
            dot.starts_with("digraph pipeline {\n") && dot.ends_with("}\n"),
            "{dot}"
        );
        for id in node_ids(&file) {
            assert!(
                dot.contains(&format!("  \"{id}\" [label=")),
                "{name}: {id} missing"
            );
        }
        if dot_installed {
            let mut child = Command::new("dot")
                .arg("-Tsvg")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), dot.as_bytes()).unwrap();
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success() && output.stderr.is_empty(),
                "{name}: dot rejects it: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        insta::assert_snapshot!(format!("dot-{name}"), dot);
    }
}

#[test]
fn svg_of_every_pipeline() {
    for (name, file) in pipelines() {
        let svg = graph(&file, "svg");
        let (ids, edges) = parse_svg(&svg);
        assert_eq!(ids, node_ids(&file), "{name}: one <g data-id> per node");
        assert!(edges > 0, "{name}: edges drawn");
        // Self-contained: nothing fetched (the only URL is the SVG namespace).
        assert_eq!(svg.matches("http").count(), 1, "{name}: {svg}");
        assert!(!svg.contains("href") && !svg.contains("<script") && !svg.contains("@import"));
        assert_eq!(svg, graph(&file, "svg"), "{name}: not deterministic");
        insta::assert_snapshot!(format!("svg-{name}"), svg);
    }
}

/// Parses `svg` as XML (failing on anything malformed) and returns its nodes' `data-id`s in
/// document order, with the number of edge groups; checks each node group holds a label and
/// the empty figure line live figures go in.
fn parse_svg(svg: &str) -> (Vec<String>, usize) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut ids = Vec::new();
    let mut edges = 0;
    let mut view_box = false;
    let mut figures = 0;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(element) | Event::Empty(element) => {
                let attribute = |key: &str| {
                    element.try_get_attribute(key).unwrap().map(|value| {
                        quick_xml::escape::unescape(&value.value)
                            .unwrap()
                            .into_owned()
                    })
                };
                match element.name().0 {
                    "svg" => view_box = attribute("viewBox").is_some(),
                    "g" => {
                        let class = attribute("class").unwrap_or_default();
                        if class.starts_with("node kind-") {
                            ids.push(attribute("data-id").expect("a node has its id"));
                        } else if class.starts_with("edge kind-") {
                            assert!(
                                attribute("data-from").is_some() && attribute("data-to").is_some()
                            );
                            edges += 1;
                        }
                    }
                    "text" if attribute("class").as_deref() == Some("figure") => figures += 1,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(view_box, "the SVG has a viewBox");
    assert_eq!(figures, ids.len(), "one figure line per node");
    (ids, edges)
}

#[test]
fn output_file_gets_the_drawing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipeline.svg");
    let output = gen_command(&["graph", "--format", "svg", "-o", path.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        graph(Path::new("pipeline.yaml"), "svg")
    );
}

#[test]
fn an_invalid_pipeline_is_reported_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipeline.yaml");
    std::fs::write(
        &path,
        "pipeline: orders\nregion: us-east-1\nqueues:\n  task: { dead_letter: nowhere }\n",
    )
    .unwrap();
    let output = gen_command(&["graph", "-f", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("missing the required key `functions`")
    );
}

/// The README shows the seed pipeline's graph: it stays what `gen graph` draws.
#[test]
fn the_readme_shows_the_current_graph() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let section = readme
        .split_once("## Seeing the pipeline: `gen graph`")
        .expect("the README has the section")
        .1;
    let block = section
        .split_once("```mermaid\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("the section shows a mermaid block")
        .0;
    assert_eq!(
        block,
        graph(Path::new("pipeline.yaml"), "mermaid"),
        "README.md's graph is stale: paste `gen graph` into it"
    );
}

/// The layout's crossing reduction on the examples: never worse than the first order tried,
/// and on the seed pipelines as few crossings as these figures (measured when it was written;
/// a change that adds crossings shows here).
#[test]
fn crossings_are_reduced() {
    let mut measured = Vec::new();
    for (name, file) in pipelines() {
        let path = workspace_root().join(&file);
        let loaded =
            generator::config::load(&path.display().to_string(), &std::fs::read(&path).unwrap());
        let graph = generator::graph::Graph::of(&loaded.pipeline.unwrap());
        let laid = generator::graph::svg::layout(&graph);
        assert!(laid.crossings <= laid.crossings_before, "{name}: {laid:?}");
        measured.push((name, laid.crossings_before, laid.crossings));
    }
    for (name, _, after) in &measured {
        let most = match name.as_str() {
            "seed-003" => 4,
            _ => 0,
        };
        assert!(
            *after <= most,
            "{name}: {after} crossings, at most {most} expected: {measured:?}"
        );
    }
}

/// The README shows seed 003 as `gen graph --format svg` draws it: the committed picture stays
/// current.
#[test]
fn the_readme_picture_is_current() {
    let committed = std::fs::read_to_string(workspace_root().join("docs/graph-seed-003.svg"))
        .unwrap_or_default();
    assert!(
        committed == graph(Path::new("examples/seed-003/pipeline.yaml"), "svg"),
        "docs/graph-seed-003.svg is stale: rerun `gen graph -f examples/seed-003/pipeline.yaml --format svg -o docs/graph-seed-003.svg`"
    );
}

/// Every mermaid diagram the kit writes renders with the mermaid library in chromium, as on a
/// GitHub page: `gen graph` of the root pipeline and each example, and each graph of the PR plans
/// in the diff snapshots (a rename, a new queue, an IAM widening, ...).
#[test]
fn every_mermaid_diagram_renders_in_a_browser() {
    let Some(browser) = Browser::find(&["playwright-core", "mermaid"]) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("gen-mermaid-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut written = 0;
    for (name, file) in pipelines() {
        std::fs::write(
            dir.join(format!("graph-{name}.mmd")),
            graph(&file, "mermaid"),
        )
        .unwrap();
        written += 1;
    }
    let snapshots = workspace_root().join("generator/tests/snapshots");
    let mut plans: Vec<PathBuf> = std::fs::read_dir(&snapshots)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("diff__"))
        })
        .collect();
    plans.sort();
    let mut with_graph = 0;
    for plan in plans {
        let text = std::fs::read_to_string(&plan).unwrap();
        for (index, block) in text.split("```mermaid\n").skip(1).enumerate() {
            let diagram = block.split("```").next().unwrap();
            let stem = plan.file_stem().unwrap().to_string_lossy().into_owned();
            std::fs::write(dir.join(format!("{stem}-{index}.mmd")), diagram).unwrap();
            written += 1;
            with_graph += 1;
        }
    }
    assert!(with_graph >= 3, "the diff snapshots hold PR graphs");
    let output = browser
        .script("mermaid.mjs")
        .args(["--dir", dir.to_str().unwrap()])
        .output()
        .expect("node runs");
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "a diagram does not render:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(seen["rendered"], written, "{seen}");
}
