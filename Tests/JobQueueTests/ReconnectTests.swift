import DubSupport
import Providers
import JobQueue
import TestSupport
import Testing

@Suite("Database reconnects", .tags(.database))
struct ReconnectTests {
    @Test("a terminated backend is replaced and the statement goes through")
    func terminatedBackend() async throws {
        let server = try PostgresServer.shared.get()
        let url = try server.createDatabase()
        let db = Database(Database.Configuration(url: url))
        try await SchemaMigrator.migrate(db)
        let pid = try await db.backendPID()
        try server.psql("SELECT pg_terminate_backend(\(pid))")
        let queue = JobQueue<TestJob>(database: db)
        let id = try await queue.submit(JobSubmission<TestJob>(payload: .init())).id
        #expect(try await db.backendPID() != pid)
        #expect(try await queue.job(id)?.state == .queued)
    }

    @Test("sessions are named dub, over a name in the connection string, and so is the one that replaces a terminated backend")
    func applicationName() async throws {
        let server = try PostgresServer.shared.get()
        let db = Database(Database.Configuration(url: try server.createDatabase() + "&application_name=someone-else"))
        let name = "SELECT current_setting('application_name') AS name"
        #expect(try await db.query(name).first?.string("name") == "dub")
        let pid = try await db.backendPID()
        try server.psql("SELECT pg_terminate_backend(\(pid))")
        #expect(try await db.query(name).first?.string("name") == "dub")
        #expect(try await db.backendPID() != pid)
    }

    @Test("a pipeline on a terminated backend is sent again on a new one; the connection then runs statements one at a time")
    func terminatedPipeline() async throws {
        let server = try PostgresServer.shared.get()
        let url = try server.createDatabase()
        let db = Database(Database.Configuration(url: url))
        try await db.query("CREATE TABLE pipelined (n int)")
        // Prepared on the first backend, so the second must prepare them again.
        _ = try await db.pipeline([SQLStatement("INSERT INTO pipelined VALUES ($1::int) RETURNING n", ["1"]),
                                   SQLStatement("SELECT count(*)::int AS n FROM pipelined WHERE n >= $1::int", ["0"])])
        let pid = try await db.backendPID()
        try server.psql("SELECT pg_terminate_backend(\(pid))")
        let results = try await db.pipeline([SQLStatement("INSERT INTO pipelined VALUES ($1::int) RETURNING n", ["2"]),
                                             SQLStatement("SELECT count(*)::int AS n FROM pipelined WHERE n >= $1::int", ["0"])])
        #expect(try results[0].get().first?.int("n") == 2)
        #expect(try results[1].get().first?.int("n") == 2)
        #expect(try await db.backendPID() != pid)
        #expect(try await db.query("SELECT n FROM pipelined ORDER BY n").map { try $0.int("n") } == [1, 2])
    }

    @Test("a full server restart: the connection comes back and nothing is lost")
    func serverRestart() async throws {
        let server = try PostgresServer()
        defer { server.destroy() }
        let db = Database(Database.Configuration(url: server.url()))
        try await SchemaMigrator.migrate(db)
        let queue = JobQueue<TestJob>(database: db)
        let before = try await queue.submit(JobSubmission<TestJob>(payload: .init(n: 1))).id
        try server.restart()
        let after = try await queue.submit(JobSubmission<TestJob>(payload: .init(n: 2))).id
        #expect(try await queue.list().map(\.id).sorted() == [before, after])
    }

    @Test("a server that is down gives a clear connection error, not a hang or crash")
    func unreachable() async throws {
        var configuration = Database.Configuration(url: "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")
        configuration.reconnectAttempts = 2
        configuration.reconnectDelay = 0.05
        let error = try await #require(throws: DatabaseError.self) { try await Database(configuration).query("SELECT 1") }
        #expect(error.kind == .connection)
        #expect(!error.description.contains("postgresql://"))
    }
}
