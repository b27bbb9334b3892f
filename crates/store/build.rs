// `sqlx::migrate!` embeds the migrations when this crate compiles: a new or changed
// migration must compile it again (as sqlx's documentation advises).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
