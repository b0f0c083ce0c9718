//! Generates Kotlin and Swift bindings from the built tillkit_ffi library.
fn main() {
    uniffi::uniffi_bindgen_main()
}
