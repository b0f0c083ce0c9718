// The TillKit library module: the generated Kotlin bindings (loaded with JNA), the Rust core
// for each ABI, and small idiomatic wrappers (src/main/kotlin). Every build (Run in Android
// Studio included) first runs `cargoNdk`: scripts/build-android.sh --rust-only builds the core
// for each ABI with the NDK pinned below and generates the bindings; cargo rebuilds only what
// changed.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "io.tillkit"
    compileSdk = 35
    // Pinned: the Rust core is linked by this NDK's clang (cargo-ndk), and the 16 KB page
    // alignment flag in .cargo/config.toml is chosen for it.
    ndkVersion = "27.2.12479018"
    defaultConfig {
        minSdk = 26
        // Kept in every app that uses the AAR, whatever its own R8 rules.
        consumerProguardFiles("consumer-rules.pro")
    }
    sourceSets["main"].kotlin.srcDir("build/generated/uniffi")
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

// `-PtillkitAbis=arm64-v8a` builds one ABI (faster while developing on one device);
// `-PtillkitRustProfile=dev` an unoptimised core.
val cargoNdk = tasks.register<Exec>("cargoNdk") {
    group = "build"
    description = "Builds the Rust core for each ABI (cargo-ndk) and generates the Kotlin bindings"
    workingDir = rootProject.projectDir.parentFile
    commandLine("bash", "android/scripts/build-android.sh", "--rust-only")
    (findProperty("tillkitAbis") as String?)?.let { environment("TILLKIT_ABIS", it.replace(',', ' ')) }
    (findProperty("tillkitRustProfile") as String?)?.let { environment("TILLKIT_RUST_PROFILE", it) }
    doFirst { environment("ANDROID_NDK_HOME", android.ndkDirectory.absolutePath) }
    // Cargo knows what changed in the workspace; Gradle always asks it (a no-op takes seconds).
    outputs.upToDateWhen { false }
}
tasks.named("preBuild") { dependsOn(cargoNdk) }

dependencies {
    // JNA as an AAR: it carries libjnidispatch.so for every ABI. 5.15+ ships it aligned to
    // 16 KB pages, which Android 15 devices with 16 KB pages need.
    api("net.java.dev.jna:jna:5.17.0@aar")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.0")
}
