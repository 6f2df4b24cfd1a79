// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dub",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dubctl", targets: ["dubctl"]),
        .executable(name: "dubd", targets: ["dubd"]),
        .library(name: "AudioKitCore", targets: ["AudioKitCore"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        // dubd's /healthz and /metrics endpoint (a kept HTTP server rather than hand-rolled sockets).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // Header names for the test-only provider fakes (already in the graph through hummingbird).
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    ],
    targets: [
        // C libraries, reached only from AudioKitCore and Pipeline.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswresample-dev", "libavutil-dev"])]
        ),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CEspeak", pkgConfig: "espeak-ng", providers: [.apt(["libespeak-ng-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        .target(
            name: "AudioKitCore",
            dependencies: [
                "CFFmpeg", "CSndFile", "CSoxr",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Pipeline",
            dependencies: [
                "AudioKitCore", "COpenSSL", "CLibPQ", "CEspeak", "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "dubctl",
            dependencies: [
                "AudioKitCore", "Pipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "dubd",
            dependencies: [
                "AudioKitCore", "Pipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // Helpers shared by the test targets: scratch folders, the reference CLI tools, signal comparison.
        .target(name: "TestSupport", dependencies: ["AudioKitCore"], path: "Tests/TestSupport"),
        .testTarget(name: "AudioKitCoreTests", dependencies: ["AudioKitCore", "TestSupport"]),
        .testTarget(name: "DubctlTests", dependencies: ["AudioKitCore", "Pipeline", "TestSupport", "ProviderFakes"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "TestSupport"]),
        // Faithful fakes of the provider HTTP APIs (test support).
        .target(name: "ProviderFakes", dependencies: [
            "AudioKitCore", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], path: "Tests/ProviderFakes"),
        // The fakes, runnable by hand and by bench/30-providers.sh (not part of dubctl/dubd).
        .executableTarget(name: "dub-fake-providers", dependencies: ["ProviderFakes"]),
        // The job-queue benchmark run by bench/40-queue.sh.
        .executableTarget(name: "dub-queue-bench", dependencies: ["Pipeline", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ProviderTests", dependencies: [
            "Pipeline", "ProviderFakes", "TestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "JobQueueTests", dependencies: [
            "AudioKitCore", "Pipeline", "TestSupport", "ProviderFakes", .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
