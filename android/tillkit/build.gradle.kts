// The TillKit library module: the generated Kotlin bindings (loaded with JNA), the Rust core
// for each ABI, and small idiomatic wrappers (src/main/kotlin). scripts/build-android.sh builds
// the native libraries and the generated sources before Gradle runs.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "io.tillkit"
    compileSdk = 35
    defaultConfig { minSdk = 26 }
    sourceSets["main"].kotlin.srcDir("build/generated/uniffi")
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    // JNA as an AAR: it carries libjnidispatch.so for every ABI.
    api("net.java.dev.jna:jna:5.13.0@aar")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.0")
}
