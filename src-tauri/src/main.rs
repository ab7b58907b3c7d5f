// The desktop window of Yingji. All logic is in the core crates; see src/lib.rs.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> anyhow::Result<()> {
    yingji_desktop::run()
}
