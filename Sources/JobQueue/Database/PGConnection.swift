import DubSupport
import CLibPQ
import Logging

/// Sole owner of one libpq connection. Not thread-safe: `Database` confines it to one thread.
final class PGConnection {
    private let conn: OpaquePointer

    /// Connects (blocking). A connection string libpq cannot use (bad syntax, unknown option, invalid value) is a
    /// `.configuration` error, which no retry can fix.
    init(conninfo: String) throws {
        var parseError: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &parseError) else {
            let message = parseError.map { Self.clean($0) } ?? "cannot parse the connection string"
            if let parseError { PQfreemem(parseError) }
            throw DatabaseError(.configuration, message)
        }
        PQconninfoFree(options)
        // The application name is one of the session's start-up parameters, after the caller's string (so it wins over
        // one named there): a session that `reset` starts afresh has it too.
        let connection = conninfo.withCString { info in
            "dbname".withCString { dbname in
                "application_name".withCString { key in
                    "dub".withCString { name in PQconnectdbParams([dbname, key, nil], [info, name, nil], 1) }
                }
            }
        }
        guard let conn = connection else {
            throw DatabaseError(.connection, "out of memory creating a connection")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Self.clean(PQerrorMessage(conn))
            PQfinish(conn)
            throw DatabaseError(message.hasPrefix("invalid ") ? .configuration : .connection, message)
        }
        // Server notices (e.g. "relation already exists, skipping") go to the log, not raw to standard error.
        PQsetNoticeProcessor(conn, { _, message in
            guard let message else { return }
            PGConnection.noticeLogger.debug("\(String(cString: message).trimmed)")
        }, nil)
        self.conn = conn
    }

    deinit { PQfinish(conn) }

    /// Where server notices go.
    static let noticeLogger = Logger(label: "dub.database")

    /// Whether the connection is usable.
    var isHealthy: Bool { PQstatus(conn) == CONNECTION_OK }

    /// The server process serving this connection.
    var backendPID: Int { Int(PQbackendPID(conn)) }

    /// Re-establishes a broken connection; returns whether it worked. The new session has no prepared statements.
    func reset() -> Bool {
        PQreset(conn)
        prepared.removeAll()
        statementsNamed = 0
        return isHealthy
    }

    /// The statements prepared on this session, by their text (the queue's statements are fixed texts, the claim one
    /// per limit, at most one per free-slot count, so this stays small; past `preparedLimit` a statement is sent
    /// unprepared).
    private var prepared: [String: String] = [:]
    /// Names are never reused within a session: a statement forgotten after an error may still exist on the server.
    private var statementsNamed = 0
    static let preparedLimit = 128

    /// Runs one statement with text parameters (`$1`, `$2`, ...), prepared on first use (parsed and planned once per
    /// session, one round trip per run after that). Without parameters the simple protocol is used, which also runs
    /// several `;`-separated statements (migrations). A statement whose prepared form is stale (`isStalePrepared`) is run
    /// again unprepared.
    func query(_ sql: String, _ params: [String?], context: String? = nil) throws -> [PGRow] {
        if params.isEmpty { return try collect(PQexec(conn, sql), context: context) }
        let name = try statementName(sql, parameters: params.count, context: context)
        do {
            return try execute(sql, params, prepared: name, context: context)
        } catch let error as DatabaseError where name != nil && error.isStalePrepared {
            // Forget it and run the statement unprepared; the next call prepares it again.
            prepared.removeValue(forKey: sql)
            return try execute(sql, params, prepared: nil, context: context)
        }
    }

    /// Runs `sql` now: prepared as `name`, or unprepared when nil.
    private func execute(_ sql: String, _ params: [String?], prepared name: String?, context: String?) throws -> [PGRow] {
        let result = withCParams(params) { values in
            if let name { return PQexecPrepared(conn, name, Int32(params.count), values, nil, nil, 0) }
            return PQexecParams(conn, sql, Int32(params.count), nil, values, nil, nil, 0)
        }
        return try collect(result, context: context)
    }

    /// `params` as C strings (NULL for nil) while `body` runs.
    private func withCParams<T>(_ params: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        // One slot at least, so the buffer has an address even when there are no parameters.
        let cParams = params.isEmpty ? [nil] : params.map { $0.map { strdup($0) } ?? nil }
        defer { cParams.forEach { free($0) } }
        return cParams.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
        }
    }

    /// Runs `statements` one after the other in one round trip (libpq's pipeline mode), each in a transaction of its
    /// own, as `query` would run them one by one: a statement that fails does not stop the ones after it, and each gets
    /// its own rows or error. Statements are prepared on first use, as `query` prepares those with parameters.
    /// - Returns: each statement's rows or error. A statement whose result never came back (the connection was lost
    ///   part-way) has a `.connection` error: it may or may not have run.
    /// - Throws: only before anything is sent: a statement that cannot be prepared, or a connection that cannot take a
    ///   pipeline.
    func pipeline(_ statements: [SQLStatement]) throws -> [Result<[PGRow], DatabaseError>] {
        let names = try statements.map { try statementName($0.sql, parameters: $0.params.count, context: $0.context) }
        guard PQenterPipelineMode(conn) == 1 else {
            throw DatabaseError(isHealthy ? .query : .connection, Self.clean(PQerrorMessage(conn)), context: statements.first?.context)
        }
        var results: [Result<[PGRow], DatabaseError>] = []
        do {
            for (statement, name) in zip(statements, names) { try send(statement, prepared: name) }
            for statement in statements { results.append(try readPipelined(statement)) }
        } catch {
            // Sent, perhaps run, but with no result to tell.
            let message = Self.clean(PQerrorMessage(conn))
            results += statements[results.count...].map { .failure(DatabaseError(.connection, message, context: $0.context)) }
        }
        // Leaving pipeline mode needs every result read: a session left part-way is started afresh, so the next
        // statement does not meet a half-read pipeline.
        if PQexitPipelineMode(conn) != 1 { _ = reset() }
        // A statement whose prepared form is stale is forgotten and run again on its own, unprepared, as `query` does.
        for index in results.indices {
            guard case .failure(let error) = results[index], names[index] != nil, error.isStalePrepared else { continue }
            let statement = statements[index]
            prepared.removeValue(forKey: statement.sql)
            results[index] = Result { try execute(statement.sql, statement.params, prepared: nil, context: statement.context) }
                .mapError { $0 as? DatabaseError ?? DatabaseError(.query, "\($0)", context: statement.context) }
        }
        return results
    }

    /// Queues one statement of a pipeline, then a sync point that ends its implicit transaction.
    private func send(_ statement: SQLStatement, prepared name: String?) throws {
        let count = Int32(statement.params.count)
        let sent = withCParams(statement.params) { values in
            if let name { return PQsendQueryPrepared(conn, name, count, values, nil, nil, 0) }
            return PQsendQueryParams(conn, statement.sql, count, nil, values, nil, nil, 0)
        }
        guard sent == 1, PQpipelineSync(conn) == 1 else {
            throw DatabaseError(.connection, Self.clean(PQerrorMessage(conn)), context: statement.context)
        }
    }

    /// The next pipelined statement's outcome: its result, the end of its results (nil), then its sync point.
    /// - Throws: when the connection is lost, or the results do not come in that order.
    private func readPipelined(_ statement: SQLStatement) throws -> Result<[PGRow], DatabaseError> {
        var outcome: Result<[PGRow], DatabaseError>?
        var ends = 0
        while true {
            guard let result = PQgetResult(conn) else {
                ends += 1
                guard isHealthy, ends <= 1 else {
                    throw DatabaseError(.connection, "the pipeline's results ended early", context: statement.context)
                }
                continue
            }
            if PQresultStatus(result) == PGRES_PIPELINE_SYNC {
                PQclear(result)
                return outcome ?? .failure(DatabaseError(.connection, "no result for a pipelined statement", context: statement.context))
            }
            // The statement's own result; an error after it (its commit failing at the sync) takes its place.
            do {
                let rows = try collect(result, context: statement.context)
                if outcome == nil { outcome = .success(rows) }
            } catch let error as DatabaseError {
                guard isHealthy else { throw error }
                outcome = .failure(error)
            }
        }
    }

    /// The name `sql` is prepared under on this session, preparing it now if it is new; nil past the limit.
    private func statementName(_ sql: String, parameters: Int, context: String?) throws -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.preparedLimit else { return nil }
        let name = "dub_\(statementsNamed)"
        statementsNamed += 1
        _ = try collect(PQprepare(conn, name, sql, Int32(parameters), nil), context: context)
        prepared[sql] = name
        return name
    }

    /// Turns a result into rows (or an error) and clears it.
    private func collect(_ result: OpaquePointer?, context: String?) throws -> [PGRow] {
        guard let result else {
            throw DatabaseError(isHealthy ? .query : .connection, Self.clean(PQerrorMessage(conn)), context: context)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = String(cString: dub_pq_sqlstate(result))
            let message = Self.clean(PQresultErrorMessage(result))
            throw DatabaseError(isHealthy ? .query : .connection, message, sqlState: state.isEmpty ? nil : state, context: context)
        }
        let fields = Int(PQnfields(result))
        let columns = (0..<fields).map { String(cString: PQfname(result, Int32($0))) }
        return (0..<Int(PQntuples(result))).map { r in
            PGRow(columns: columns, values: (0..<fields).map { c in
                PQgetisnull(result, Int32(r), Int32(c)) == 1 ? nil : String(cString: PQgetvalue(result, Int32(r), Int32(c)))
            })
        }
    }

    /// Waits up to `timeoutMs` for notifications and returns those that arrived as (channel, payload).
    func notifications(timeoutMs: Int32) throws -> [(channel: String, payload: String)] {
        var received = drainNotifications()
        guard received.isEmpty else { return received }
        let ready = dub_pq_wait_readable(conn, timeoutMs)
        if ready < 0 { throw DatabaseError(.connection, "lost the notification connection") }
        if ready > 0 {
            guard PQconsumeInput(conn) == 1 else { throw DatabaseError(.connection, Self.clean(PQerrorMessage(conn))) }
            received = drainNotifications()
        }
        if !isHealthy { throw DatabaseError(.connection, "lost the notification connection") }
        return received
    }

    private func drainNotifications() -> [(channel: String, payload: String)] {
        var out: [(channel: String, payload: String)] = []
        while let note = PQnotifies(conn) {
            out.append((String(cString: note.pointee.relname), String(cString: note.pointee.extra)))
            PQfreemem(note)
        }
        return out
    }

    private static func clean(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).split(separator: "\n").map { $0.trimmed }.filter { !$0.isEmpty }.joined(separator: "; ")
    }
}

#if canImport(Glibc)
import Glibc
#endif
