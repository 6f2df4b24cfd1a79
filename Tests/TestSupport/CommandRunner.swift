import Foundation

/// Runs the package's own executables (dubctl, dubd) as a user would, from the build folder that
/// holds the running test bundle (or from `$DUB_BIN_DIR`).
public enum CommandRunner {
    /// The folder holding the built executables.
    public static let binDirectory: URL = {
        if let dir = ProcessInfo.processInfo.environment["DUB_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // The test runner may sit inside a bundle folder; walk up until the executables are beside it.
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: dir.appendingPathComponent("dubctl").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }()

    /// The result of one run.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// How long the process itself ran, in seconds (measured beside it, not by a task waiting for a thread).
        public var seconds: Double = 0
    }

    /// Runs `tool` (e.g. `dubctl`) with `arguments` and returns its exit status and outputs; `environment`
    /// overrides variables (an empty value removes one).
    public static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double? = 600) throws -> Result {
        let path = binDirectory.appendingPathComponent(tool).path
        let started = Date()
        let (status, out, err) = try Tool.capture(path, arguments, environment: environment, timeout: timeout)
        return Result(status: status, stdout: out, stderr: err, seconds: Date().timeIntervalSince(started))
    }

    /// `run` on its own thread, so a test waiting for a child process never holds the cooperative pool (which the
    /// in-process fakes and the code under test need on a 2-core machine).
    /// A run still going after `timeout` seconds (10 minutes unless given) is killed and its status is -1 (a hang), so a
    /// hung child fails its test instead of holding up the whole suite.
    public static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double? = 600) async throws -> Result {
        try await OffPool.run { try run(tool, arguments, environment: environment, timeout: timeout) }
    }
}

/// Runs blocking test work on a dedicated thread and resumes the caller with its result.
public enum OffPool {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Waits for a child process to exit without holding the cooperative pool.
    public static func wait(_ process: Process) async {
        _ = try? await run { process.waitUntilExit() }
    }
}
