import DubSupport
/// A database failure: connecting, a statement, or the schema. Never carries the connection URL
/// (it may hold a password).
public struct DatabaseError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// Could not connect, or the connection was lost.
        case connection
        /// The connection string itself is unusable (retrying cannot help).
        case configuration
        /// A statement failed.
        case query
        /// The schema is missing or newer than this program knows.
        case schema
        /// A row did not have the expected shape.
        case decoding
    }

    public var kind: Kind
    /// PostgreSQL's SQLSTATE, when the server sent one (e.g. `23505` unique violation).
    public var sqlState: String?
    /// The server's or libpq's message.
    public var message: String
    /// Which statement (a short name, not its text).
    public var context: String?

    public init(_ kind: Kind, _ message: String, sqlState: String? = nil, context: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.context = context
    }

    /// Whether the connection was lost (the statement may be retried on a new connection).
    public var isConnectionLoss: Bool { kind == .connection || (sqlState?.hasPrefix("08") ?? false) || sqlState == "57P01" }

    /// Whether a prepared statement's stored form is stale: gone from the session (26000: a pooler between us and the
    /// server) or no longer fitting its tables (0A000: a migration). The statement itself may run unprepared.
    var isStalePrepared: Bool { ["26000", "0A000"].contains(sqlState ?? "") }

    public var description: String {
        var line = "database \(kind.rawValue) error"
        if let context { line += " in \(context)" }
        line += ": \(message)"
        if let sqlState, !sqlState.isEmpty { line += " (SQLSTATE \(sqlState))" }
        return line
    }
}

extension DatabaseError: ClassifiedError {
    public var errorCode: String { "database_\(kind.rawValue)" }
    /// Only an unusable connection string cannot be helped by trying again.
    public var isPermanent: Bool { kind == .configuration }
}
