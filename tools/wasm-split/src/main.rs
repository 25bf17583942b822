//! Splits the app's linked wasm at its split points (`src/split.rs`) before wasm-bindgen runs.
//!
//! trunk 0.21 runs wasm-bindgen straight after cargo, and wasm-bindgen drops the relocations a
//! split needs (trunk-rs/trunk#1022), so `scripts/build-app.mjs` builds the app itself: cargo (with
//! `--emit-relocs`), this tool, then wasm-bindgen on the main module it writes. This is the
//! splitter cargo-leptos uses (`wasm_split_cli_support`).
//!
//! Usage: `wasm-split <input.wasm> <out-dir> <main-js> <link-js>`
//! - `<main-js>`: the module the loader imports `initSync` from (the wasm-bindgen JS), as the
//!   loader will see it, e.g. `./dataverse-wizard.js`.
//! - `<link-js>`: the loader's name (the main wasm imports its functions from this module).
//!
//! Writes `<out-dir>/main.wasm`, one `.wasm` per split module and shared chunk, the loader, and
//! prints a JSON manifest on stdout: the split modules and, per split, the files it needs.
use std::{collections::BTreeMap, path::Path, process::ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, main_js, link_js] = args.as_slice() else {
        eprintln!("usage: wasm-split <input.wasm> <out-dir> <main-js> <link-js>");
        return ExitCode::from(2);
    };
    match split(Path::new(input), Path::new(out_dir), main_js, link_js) {
        Ok(manifest) => {
            println!("{manifest}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wasm-split: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn split(input: &Path, out_dir: &Path, main_js: &str, link_js: &str) -> Result<String, String> {
    let wasm = std::fs::read(input).map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let main_out = out_dir.join("main.wasm");
    let mut options = wasm_split_cli_support::Options::new(&wasm);
    options.output_dir = out_dir;
    options.main_out_path = &main_out;
    options.main_module = main_js;
    options.link_name = link_js;
    let split = wasm_split_cli_support::transform(options).map_err(|e| format!("{e:#}"))?;
    let modules: Vec<String> = split
        .split_modules
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let needs: BTreeMap<_, _> = split.prefetch_map.into_iter().collect();
    Ok(serde_json::json!({ "modules": modules, "needs": needs }).to_string())
}
