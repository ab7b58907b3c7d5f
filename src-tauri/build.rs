fn main() {
    // New files in the built front end are otherwise not picked up by incremental builds.
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build();
}
