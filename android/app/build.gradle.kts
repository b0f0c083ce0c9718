// The thin cashier app: screens only. Everything below the screen comes from :tillkit.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "io.tillkit.app"
    compileSdk = 35
    defaultConfig {
        applicationId = "io.tillkit.app"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        // `tillkit sandbox` on the development machine, at its default address 127.0.0.1:8787:
        // `adb reverse tcp:8787 tcp:8787` makes it this device's 127.0.0.1:8787 too (emulator or
        // USB). The core sends plain HTTP only to loopback; a phone on the Wi-Fi reaches the
        // sandbox over HTTPS: -PtillkitSandboxUrl=https://<computer's IP>:8787 and the CA in
        // src/main/assets/sandbox-ca.pem (android/README.md).
        val sandboxUrl = (findProperty("tillkitSandboxUrl") as String?) ?: "http://127.0.0.1:8787"
        buildConfigField("String", "ACQUIRER_URL", "\"$sandboxUrl\"")
    }
    buildFeatures {
        compose = true
        buildConfig = true
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin { jvmToolchain(17) }

dependencies {
    implementation(project(":tillkit"))
    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.material3:material3")
    // Status is told by an icon and words, never by colour alone.
    implementation("androidx.compose.material:material-icons-core")
    // Receipts: the Android print framework (a terminal's built-in printer is a print service).
    implementation("androidx.print:print:1.0.0")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-viewmodel-compose:2.8.7")
    implementation("com.google.zxing:core:3.5.3") // renders the merchant QR
    implementation("androidx.camera:camera-camera2:1.4.1")
    implementation("androidx.camera:camera-lifecycle:1.4.1")
    implementation("androidx.camera:camera-view:1.4.1")
}
