//! The library's layers (docs/architecture.md): a module imports only from
//! its own layer or those below it.

use std::fs;
use std::path::Path;

/// The layers, bottom first: each is a folder of `src/`.
const LAYERS: [&str; 4] = ["format", "rules", "ledger", "git"];

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut upward = Vec::new();
    for (level, layer) in LAYERS.iter().enumerate() {
        let mut files = vec![src.join(layer)];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let text = fs::read_to_string(&path).unwrap();
            for (above, name) in LAYERS.iter().enumerate().skip(level + 1) {
                let import = format!("crate::{name}::");
                for (n, line) in text.lines().enumerate() {
                    if line.contains(&import) || line.contains(&format!("crate::{name};")) {
                        upward.push(format!(
                            "{}:{}: {layer} imports {}",
                            path.display(),
                            n + 1,
                            LAYERS[above]
                        ));
                    }
                }
            }
        }
    }
    assert!(upward.is_empty(), "{}", upward.join("\n"));
}
