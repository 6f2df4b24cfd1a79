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
