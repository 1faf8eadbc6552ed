// The console's files are compiled in by `include_dir!`, which stable Rust cannot tell cargo
// about: without this, editing a file under web/ would not rebuild the binaries that serve it.
fn main() {
    println!("cargo::rerun-if-changed=../../web");
}
