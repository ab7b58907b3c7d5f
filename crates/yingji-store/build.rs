//! Embeds `migrations/NNNN_name.sql` at compile time: the folder is the only source of the schema.
use std::{env, fs, path::Path};

fn main() {
    // Read at run time, not compile time: a build script compiled for one checkout is reused by
    // another that shares the target folder, and must read that checkout's migrations.
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("../../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("migrations folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut out = String::from("pub(crate) const MIGRATIONS: &[Migration] = &[\n");
    for (i, path) in files.iter().enumerate() {
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let (num, name) = stem.split_once('_').expect("migration file named NNNN_name.sql");
        let version: u32 = num.parse().expect("migration number");
        assert_eq!(version as usize, i + 1, "migrations must be numbered 0001, 0002, … without gaps");
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    Migration {{ version: {version}, name: {name:?}, sql: include_str!({:?}) }},\n",
            fs::canonicalize(path).unwrap()
        ));
    }
    out.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("migrations.rs"), out).unwrap();
}
