//! Helpers shared by the integration tests: where the built binaries are, a minimal WebDriver
//! client for the real-window tests.

#[path = "webdriver.rs"]
pub mod webdriver;

use std::path::PathBuf;

/// The workspace's target directory.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// A binary built by `cargo build` (debug profile), or a clear failure naming the build step.
pub fn built_binary(name: &str) -> PathBuf {
    let path = target_dir().join("debug").join(name);
    assert!(
        path.exists(),
        "{} is not built; run `cargo build -p {}` first",
        path.display(),
        match name {
            "yingji-desktop" => "yingji-desktop",
            _ => "yingji-cli",
        }
    );
    path
}
