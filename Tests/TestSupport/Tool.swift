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
        let out = Spawn.pipe()
        let err = Spawn.pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try Spawn.run(process)
        let killer = DispatchWorkItem { [process] in if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer) }
        defer { killer.cancel() }
        let (outData, errData) = readBoth(out.fileHandleForReading.fileDescriptor, err.fileHandleForReading.fileDescriptor,
                                          until: process)
        process.waitUntilExit()
        let timedOut = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL && timeout != nil
        return (timedOut ? -1 : process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Reads both pipes at once (so a chatty process cannot block on a full one) until both end, or until `process` has
    /// exited and nothing more came for 2 s: whatever else may still hold a pipe open never holds up the caller.
    static func readBoth(_ first: Int32, _ second: Int32, until process: Process) -> (Data, Data) {
        var data = [first: Data(), second: Data()]
        var open = [first, second]
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var quietSince: Date?
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 100)
            if ready > 0 {
                quietSince = nil
                for entry in fds where entry.revents != 0 {
                    let count = read(entry.fd, &buffer, buffer.count)
                    if count > 0 {
                        data[entry.fd]?.append(contentsOf: buffer[0..<count])
                    } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                        open.removeAll { $0 == entry.fd }
                    }
                }
            } else if !process.isRunning {
                let since = quietSince ?? Date()
                quietSince = since
                if Date().timeIntervalSince(since) > 2 { break }
            }
        }
        return (data[first] ?? Data(), data[second] ?? Data())
    }

    /// `ffmpeg -hide_banner -loglevel error -y ARGS`.
    public static func ffmpeg(_ arguments: [String]) throws {
        try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments)
    }
}
