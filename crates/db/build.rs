// `sqlx::migrate!` embeds the migration files at compile time but does not tell Cargo about a
// file added to the folder; without this a new migration is missing from an incremental build.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
