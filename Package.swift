// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dub",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dubctl", targets: ["dubctl"]),
        .executable(name: "dubd", targets: ["dubd"]),
        .library(name: "AudioKitCore", targets: ["AudioKitCore"]),
        .library(name: "Dubbing", targets: ["Dubbing"]),
        .library(name: "Providers", targets: ["Providers"]),
        .library(name: "JobQueue", targets: ["JobQueue"]),
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
        // C libraries, each imported by exactly one target.
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

        // Small pieces every module shares (atomic files, blocking work and cancellation, JSON, bounded reads,
        // languages, digests, error classification). The only target that imports COpenSSL.
        .target(name: "DubSupport", dependencies: ["COpenSSL"]),
        // Media I/O and DSP: the only target that imports FFmpeg, libsndfile and libsoxr.
        .target(
            name: "AudioKitCore",
            dependencies: [
                "DubSupport", "CFFmpeg", "CSndFile", "CSoxr",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What a provider is to the rest of dub: protocols, requests, transcripts, usage, errors. No C, no vendor.
        .target(name: "ProviderAPI", dependencies: ["DubSupport"]),
        // The vendors (OpenAI, ElevenLabs, NAVER, espeak-ng) over the curl HTTP layer, which also carries the job
        // queue's webhooks (`WebhookHTTPTransport`): the only target that imports CCurl and CEspeak.
        .target(
            name: "Providers",
            dependencies: [
                "DubSupport", "ProviderAPI", "AudioKitCore", "JobQueue", "CCurl", "CEspeak",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The dubbing stages and the timeline: media and provider protocols only, never a vendor.
        .target(
            name: "Dubbing",
            dependencies: ["DubSupport", "AudioKitCore", "ProviderAPI"]
        ),
        // The PostgreSQL job queue, workers and webhooks: knows nothing of dubbing. The only target that imports CLibPQ.
        .target(
            name: "JobQueue",
            dependencies: ["DubSupport", "CLibPQ", .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        // What a queued dub carries (request, checkpoint, report, usage): the one place dubbing meets the queue.
        .target(name: "DubJobs", dependencies: ["Dubbing", "JobQueue", "ProviderAPI"]),
        .executableTarget(
            name: "dubctl",
            dependencies: [
                "DubSupport", "AudioKitCore", "ProviderAPI", "Providers", "Dubbing", "JobQueue", "DubJobs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "dubd",
            dependencies: [
                "DubSupport", "AudioKitCore", "ProviderAPI", "Providers", "Dubbing", "JobQueue", "DubJobs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // Helpers shared by the test targets: scratch folders, the reference CLI tools, signal comparison.
        .target(name: "TestSupport", dependencies: ["DubSupport", "AudioKitCore"], path: "Tests/TestSupport"),
        // Faithful fakes of the provider HTTP APIs (test support).
        .target(name: "ProviderFakes", dependencies: [
            "AudioKitCore", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], path: "Tests/ProviderFakes"),
        // The fakes, runnable by hand and by bench/30-providers.sh (not part of dubctl/dubd).
        .executableTarget(name: "dub-fake-providers", dependencies: ["ProviderFakes"]),
        // The job-queue benchmark run by bench/40-queue.sh.
        .executableTarget(name: "dub-queue-bench", dependencies: ["DubSupport", "JobQueue", .product(name: "Logging", package: "swift-log")]),
        // Unit tests per target, then the end-to-end suites that run dubctl and dubd.
        .testTarget(name: "DubSupportTests", dependencies: ["DubSupport", "AudioKitCore", "TestSupport"]),
        .testTarget(name: "AudioKitCoreTests", dependencies: ["DubSupport", "AudioKitCore", "TestSupport"]),
        .testTarget(name: "DubbingTests", dependencies: ["DubSupport", "AudioKitCore", "ProviderAPI", "Providers", "Dubbing", "TestSupport"]),
        .testTarget(name: "ProviderTests", dependencies: [
            "DubSupport", "AudioKitCore", "ProviderAPI", "Providers", "Dubbing", "ProviderFakes", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "JobQueueTests", dependencies: [
            "DubSupport", "AudioKitCore", "JobQueue", "Providers", "TestSupport", "ProviderFakes", .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "DubctlTests", dependencies: [
            "DubSupport", "AudioKitCore", "ProviderAPI", "Providers", "Dubbing", "JobQueue", "DubJobs", "TestSupport", "ProviderFakes",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
