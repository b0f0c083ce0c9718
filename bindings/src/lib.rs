//! uniffi bindings of the TillKit core (a scaffold for now; the full surface comes with the engine).
uniffi::setup_scaffolding!();

/// The version of the TillKit core this library was built from.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
