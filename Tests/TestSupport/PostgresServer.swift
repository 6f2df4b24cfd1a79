import Foundation

/// A real PostgreSQL server for the tests: `initdb` into a temporary folder, started on its own port
/// on 127.0.0.1, torn down when the test process exits. When the tests run as root (CI, sessions),
/// the server runs as the `postgres` system user, which owns the data folder.
public final class PostgresServer: @unchecked Sendable {
    /// The one server the whole test process shares; each test makes its own database in it.
    public static let shared: Result<PostgresServer, any Error> = Result { try PostgresServer() }

    public let port: Int
    public let dataDirectory: String
    let binDirectory: String
    private(set) var process: Process?
    private let runAsPostgres: Bool

    /// Starts a new server of its own (for tests that stop or restart it).
    public init() throws {
        guard let bin = Self.findBinDirectory() else {
            throw Tool.Failure(command: "initdb", status: 127, stderr: "PostgreSQL server binaries not found; run 'make setup'")
        }
        binDirectory = bin
        runAsPostgres = getuid() == 0
        Self.removeAbandoned(binDirectory: bin, asPostgres: runAsPostgres)
        port = try Self.freePort()
        let base = "/tmp/dub-pg-\(getpid())-\(port)"
        dataDirectory = "\(base)/data"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        if runAsPostgres { try Tool.run("/bin/chown", ["postgres:postgres", base]) }
        try runPG("initdb", ["-D", dataDirectory, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"])
        try start()
        Self.registerCleanup(self)
    }

    /// A libpq URL for database `name` on this server.
    public func url(database name: String = "postgres") -> String {
        "postgresql://postgres@127.0.0.1:\(port)/\(name)?connect_timeout=5"
    }

    /// Creates a fresh, empty database and returns its URL.
    public func createDatabase() throws -> String {
        let name = "t_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))"
        try Tool.run("/usr/bin/psql", ["-q", "-v", "ON_ERROR_STOP=1", url(), "-c", "CREATE DATABASE \(name)"])
        return url(database: name)
    }

    /// Runs SQL as the superuser (for fault injection such as `pg_terminate_backend`).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Tool.run("/usr/bin/psql", ["-qtA", "-v", "ON_ERROR_STOP=1", url(database: database), "-c", sql])
    }

    /// Starts the server (again) and waits until it accepts connections.
    public func start() throws {
        let proc = Process()
        let postgres = "\(binDirectory)/postgres"
        let args = ["-D", dataDirectory, "-p", "\(port)", "-k", "/tmp", "-c", "listen_addresses=127.0.0.1",
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"]
        if runAsPostgres {
            proc.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            proc.arguments = ["-u", "postgres", "--", postgres] + args
        } else {
            proc.executableURL = URL(fileURLWithPath: postgres)
            proc.arguments = args
        }
        proc.standardOutput = FileHandle.nullDevice
        proc.standardError = FileHandle.nullDevice
        try Spawn.run(proc)
        process = proc
        for _ in 0..<200 {
            if (try? Tool.capture("\(binDirectory)/pg_isready", ["-q", "-h", "127.0.0.1", "-p", "\(port)"]))?.status == 0 { return }
            usleep(50_000)
        }
        throw Tool.Failure(command: "postgres", status: 1, stderr: "server did not start on port \(port)")
    }

    /// Stops the server the fast way (like a restart or crash would, from the clients' view).
    public func stop() throws {
        try runPG("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
        process?.waitUntilExit()
        process = nil
    }

    /// Stop, then start again on the same port and data.
    public func restart() throws {
        try stop()
        try start()
    }

    private func runPG(_ tool: String, _ arguments: [String]) throws {
        let path = "\(binDirectory)/\(tool)"
        if runAsPostgres {
            try Tool.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
        } else {
            try Tool.run(path, arguments)
        }
    }

    /// Stops and deletes servers left behind by test processes that were killed before their exit handler ran.
    private static func removeAbandoned(binDirectory: String, asPostgres: Bool) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for entry in entries where entry.hasPrefix("dub-pg-") {
            let parts = entry.split(separator: "-")
            guard parts.count == 4, let pid = Int32(parts[2]), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let ctl = "\(binDirectory)/pg_ctl"
            let args = ["-D", "/tmp/\(entry)/data", "-m", "immediate", "-w", "stop"]
            _ = try? (asPostgres ? Tool.capture("/usr/sbin/runuser", ["-u", "postgres", "--", ctl] + args) : Tool.capture(ctl, args))
            try? FileManager.default.removeItem(atPath: "/tmp/\(entry)")
        }
    }

    private static func findBinDirectory() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw Tool.Failure(command: "bind", status: 1, stderr: "no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    nonisolated(unsafe) private static var running: [PostgresServer] = []
    private static let lock = NSLock()

    /// Stops every server this process started, at exit (or now, for a test that is done with its own).
    private static func registerCleanup(_ server: PostgresServer) {
        lock.lock()
        defer { lock.unlock() }
        if running.isEmpty {
            atexit {
                PostgresServer.lock.lock()
                let servers = PostgresServer.running
                PostgresServer.lock.unlock()
                servers.forEach { $0.destroy() }
            }
        }
        running.append(server)
    }

    /// Stops the server immediately and deletes its data.
    public func destroy() {
        try? runPG("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: dataDirectory).deletingLastPathComponent().path)
    }
}
