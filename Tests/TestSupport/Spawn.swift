import Foundation

/// Starts the tests' child processes so that no child ever holds another child's pipe.
///
/// Foundation's `Process` closes the parent's descriptors in a child by listing them as it spawns it, so a pipe that
/// another test thread makes at that moment leaks into the child. A long-lived child (the tests' PostgreSQL, a `dubd`)
/// holding the write end of another test's pipe keeps that pipe from ever reaching its end, and the test reading it
/// waits forever (a CI run hung that way). Here every pipe is close-on-exec, and pipes are made and children started
/// under one lock, so no spawn can see a pipe before it is marked.
public enum Spawn {
    private static let lock = NSLock()

    /// A pipe whose two ends are close-on-exec (a child still gets the end it is given as standard input or output).
    public static func pipe() -> Pipe {
        lock.withLock {
            let pipe = Pipe()
            for fd in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
                _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
            }
            return pipe
        }
    }

    /// Starts `process`, never while another thread is between making a pipe and marking it.
    public static func run(_ process: Process) throws {
        try lock.withLock { try process.run() }
    }

    /// Waits up to `seconds` for `process` to exit, without holding the cooperative pool; false if it is still running.
    public static func wait(_ process: Process, seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else { return false }
        await OffPool.wait(process) // reaped: the exit status is there at once
        return true
    }
}
