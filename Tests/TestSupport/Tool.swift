import Foundation

/// Runs the reference command-line tools (ffmpeg, ffprobe, sox) that tests use as oracles.
public enum Tool {
    public struct Failure: Error, CustomStringConvertible {
        let command: String
        let status: Int32
        let stderr: String
        public var description: String { "\(command) exited \(status): \(stderr.suffix(600))" }
    }

    /// Runs `executable` with `arguments`; returns standard output, throws on a non-zero exit.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try capture(executable, arguments)
        guard result.status == 0 else {
            throw Failure(command: ([executable] + arguments).joined(separator: " "), status: result.status, stderr: result.stderr)
        }
        return result.stdout
    }

    /// Runs a command and returns its exit status and both outputs. `environment` overrides variables of this
    /// process's environment; an empty value removes the variable.
    /// With `timeout`, a process still running after that many seconds is killed (SIGKILL) and its status is -1.
    public static func capture(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                               timeout: Double? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/\(executable)")
        process.arguments = arguments
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (name, value) in environment { merged[name] = value.isEmpty ? nil : value }
            process.environment = merged
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let killer = DispatchWorkItem { [process] in if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer) }
        defer { killer.cancel() }
        // Read both pipes concurrently so a chatty process cannot block on a full pipe.
        let errData = LockedData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        let timedOut = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL && timeout != nil
        return (timedOut ? -1 : process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData.get(), as: UTF8.self))
    }

    /// `ffmpeg -hide_banner -loglevel error -y ARGS`.
    public static func ffmpeg(_ arguments: [String]) throws {
        try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments)
    }
}

private final class LockedData: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
