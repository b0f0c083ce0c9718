//! Link settings of the shipped library.
//!
//! Size builds (`opt-level` `s` or `z`: the `release-small` profile) of the shared library:
//!
//! - Linux with glibc packs the library's relative relocations (`-z pack-relative-relocs`,
//!   DT_RELR): 17,000 relocations shrink from 24 bytes each to a few kilobytes, about 380 KB.
//!   It needs GNU ld 2.38+ (or lld) and a glibc of 2.36 or later to load the library. (Android:
//!   `-Wl,--pack-dyn-relocs=android` does the same from API 23; not set here.)
//! - Where the linker is lld — the NDK's, and x86_64 Linux's default since Rust 1.90 — identical
//!   functions are folded into one (`--icf=all`): generic code instantiated for many types
//!   (drops, futures, FFI call wrappers) often compiles to the same bytes, about 100 KB here.
//!   Rust promises no distinct addresses for distinct functions (see `std::ptr::fn_addr_eq`),
//!   and rustc already asks the same of Windows' linker (`/OPT:ICF`) while Apple's linker
//!   folds by default. `TILLKIT_NO_ICF=1` turns it off (say, for a linker that does not know
//!   the flag).
//!
//! Debug and plain release builds are left as they were, so tests and development link
//! anywhere.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TILLKIT_NO_ICF");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if !matches!(var("OPT_LEVEL").as_str(), "s" | "z") {
        return;
    }
    let (os, env) = (var("CARGO_CFG_TARGET_OS"), var("CARGO_CFG_TARGET_ENV"));
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
    }
    let lld = os == "android"
        || (var("TARGET") == "x86_64-unknown-linux-gnu" && rustc_minor(&var("RUSTC")) >= 90);
    if lld && var("TILLKIT_NO_ICF").is_empty() {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--icf=all");
    }
}

/// The minor version of the compiler building this crate (`rustc 1.95.0 (...)` gives 95), 0
/// if it cannot be told.
fn rustc_minor(rustc: &str) -> u32 {
    let rustc = if rustc.is_empty() { "rustc" } else { rustc };
    Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.split_whitespace().nth(1)?.split('.').nth(1)?.parse().ok())
        .unwrap_or(0)
}
