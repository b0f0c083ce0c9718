//! Link settings of the shipped library.
//!
//! Size builds (`opt-level` `s` or `z`: the `release-small` profile) for Linux with glibc pack
//! the library's relative relocations (`-z pack-relative-relocs`, DT_RELR): 17,000 relocations
//! shrink from 24 bytes each to a few kilobytes, about 380 KB. It needs GNU ld 2.38+ (or lld)
//! and a glibc of 2.36 or later to load the library; debug and plain release builds are left
//! as they were, so tests and development run anywhere. (Android: `-Wl,--pack-dyn-relocs=android`
//! does the same from API 23; not set here, the Android build has its own linker flags.)

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let size_build = matches!(var("OPT_LEVEL").as_str(), "s" | "z");
    if size_build && var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
    }
}
