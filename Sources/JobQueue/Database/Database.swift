import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL connection used from async code: every statement runs on the connection's own
/// thread (never on Swift's cooperative pool), with parameters only, results owned and cleared.
/// A connection lost to a server restart or a killed backend is re-established with backoff and the
/// statement retried once.
public final class Database: Sendable {
    /// How to connect and how hard to try again.
    public struct Configuration: Sendable {
        /// A libpq connection string or `postgresql://` URL.
        public var url: String
        /// Attempts to reconnect before giving up.
        public var reconnectAttempts: Int = 10
        /// First wait between attempts, doubling up to `maxReconnectDelay`.
        public var reconnectDelay: Double = 0.1
        public var maxReconnectDelay: Double = 2

        public init(url: String) {
            self.url = url
        }
    }

    /// `DUB_DATABASE_URL`, falling back to `DATABASE_URL`.
    public static func urlFromEnvironment() -> String? {
        for name in ["DUB_DATABASE_URL", "DATABASE_URL"] {
            if let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty { return value }
        }
        return nil
    }

    /// Where and how it connects.
    public let configuration: Configuration
    private let thread = SerialThread()
    private let holder = ConnectionHolder()

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    deinit { thread.shutdown() }

    /// Connects now (otherwise the first statement connects).
    public func connect() async throws {
        let holder = holder, configuration = configuration
        try await thread.run { _ = try holder.connection(configuration) }
    }

    /// The connection's thread as an executor. An actor that runs on it (`unownedExecutor`) has its statements run
    /// inline, without the two thread hops a statement otherwise takes (to the connection's thread and back); it
    /// waits for them, as the connection does.
    public var executor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    /// Runs `body` on the connection's thread with the connection settings to use: at once when the caller is there
    /// already (an actor on `executor`), otherwise queued there. Inline, a lost connection gets one attempt to
    /// reconnect, not the backoff: the actor shares the thread, and waiting out the backoff (about 11 s with the
    /// defaults) would hold up all of its work, a shutdown's included; its own loops try again on their schedule.
    private nonisolated(nonsending) func onThread<T: Sendable>(_ body: @escaping @Sendable (Configuration) throws -> T) async throws -> T {
        if thread.isCurrent {
            var once = configuration
            once.reconnectAttempts = 1
            return try body(once)
        }
        let configuration = configuration
        return try await thread.run { try body(configuration) }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    public nonisolated(nonsending) func query(_ sql: String, _ params: [String?] = [], context: String? = nil) async throws -> [PGRow] {
        let holder = holder
        return try await onThread { configuration in
            try holder.withRetry(configuration) { try $0.query(sql, params, context: context) }
        }
    }

    /// Runs one statement (see `query(_:_:context:)`) and returns its rows.
    @discardableResult
    public nonisolated(nonsending) func query(_ statement: SQLStatement) async throws -> [PGRow] {
        try await query(statement.sql, statement.params, context: statement.context)
    }

    /// Runs `statements` one after the other in one round trip, each in a transaction of its own, and returns each one's
    /// rows or error: a statement that fails does not stop the ones after it (libpq's pipeline mode). As with `query`,
    /// a statement whose connection was lost before its result came back is sent once more on a new connection; those
    /// whose results came back are not sent again.
    /// - Throws: only when nothing could be sent (no connection, or a statement the server cannot prepare).
    public nonisolated(nonsending) func pipeline(_ statements: [SQLStatement]) async throws -> [Result<[PGRow], DatabaseError>] {
        let holder = holder
        return try await onThread { configuration in
            var results = try holder.withRetry(configuration) { try $0.pipeline(statements) }
            let lost = results.indices.filter { if case .failure(let error) = results[$0] { error.isConnectionLoss } else { false } }
            guard !lost.isEmpty, let again = try? holder.connection(configuration).pipeline(lost.map { statements[$0] }) else { return results }
            for (index, result) in zip(lost, again) { results[index] = result }
            return results
        }
    }

    /// Runs `body` inside BEGIN/COMMIT on this connection; any error rolls back. Nothing else runs on the
    /// connection meanwhile.
    public nonisolated(nonsending) func transaction<T: Sendable>(_ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        let holder = holder
        return try await onThread { configuration in
            try holder.withRetry(configuration) { connection in
                _ = try connection.query("BEGIN", [])
                do {
                    let value = try body(Transaction(connection: connection))
                    _ = try connection.query("COMMIT", [])
                    return value
                } catch {
                    if connection.isHealthy { _ = try? connection.query("ROLLBACK", []) }
                    throw error
                }
            }
        }
    }

    /// The server process id serving this connection (for diagnostics and tests).
    public func backendPID() async throws -> Int {
        let holder = holder, configuration = configuration
        return try await thread.run { try holder.connection(configuration).backendPID }
    }

    /// Closes the connection; later statements reconnect.
    public func close() async {
        let holder = holder
        _ = try? await thread.run { holder.drop() }
    }
}

/// Statements inside `Database.transaction`.
public struct Transaction {
    fileprivate let connection: PGConnection

    /// Runs one statement in the transaction.
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = [], context: String? = nil) throws -> [PGRow] {
        try connection.query(sql, params, context: context)
    }
}

/// Holds the connection; touched only from the database's own thread.
final class ConnectionHolder: @unchecked Sendable {
    private var current: PGConnection?

    func connection(_ configuration: Database.Configuration) throws -> PGConnection {
        if let current, current.isHealthy { return current }
        var delay = configuration.reconnectDelay
        var lastError: (any Error)?
        for attempt in 0..<max(configuration.reconnectAttempts, 1) {
            if attempt > 0 {
                usleep(UInt32(delay * 1_000_000))
                delay = min(delay * 2, configuration.maxReconnectDelay)
            }
            if let current, current.reset() { return current }
            do {
                let fresh = try PGConnection(conninfo: configuration.url)
                current = fresh
                return fresh
            } catch let error as DatabaseError where error.kind == .configuration {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError ?? DatabaseError(.connection, "cannot connect")
    }

    func withRetry<T>(_ configuration: Database.Configuration, _ body: (PGConnection) throws -> T) throws -> T {
        do {
            return try body(try connection(configuration))
        } catch let error as DatabaseError where error.isConnectionLoss {
            return try body(try connection(configuration))
        }
    }

    func drop() { current = nil }
}
