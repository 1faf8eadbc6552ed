//! Builds the roster file this package deploys into the binary, so the package carries its
//! YAML however it is built (`sam build` copies only the executable; `scripts/package` zips it).
//!
//! `ROSTER_DEPLOY_FILE` names the file: absolute, or relative to the workspace root. Unset, no
//! roster is embedded and the function refuses to run unless `ROSTER_FILE` names one at run
//! time (the local tests do that) — it never falls back to an example file.

use std::path::PathBuf;
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-env-changed=ROSTER_DEPLOY_FILE");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let (name, text) = match env::var_os("ROSTER_DEPLOY_FILE").filter(|file| !file.is_empty()) {
        Some(file) => {
            let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"))
                .join("../..");
            // Joining an absolute path replaces the root.
            let path = root.join(file);
            println!("cargo:rerun-if-changed={}", path.display());
            let text = fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("ROSTER_DEPLOY_FILE: cannot read {}: {e}", path.display())
            });
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, text)
        }
        None => (String::new(), String::new()),
    };
    fs::write(out.join("deployed-roster.yaml"), text).expect("OUT_DIR is writable");
    println!("cargo:rustc-env=ROSTER_DEPLOYED_NAME={name}");
}
