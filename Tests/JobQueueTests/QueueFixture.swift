import DubSupport
import Providers
import JobQueue
import TestSupport
import Testing

/// The jobs the queue tests run: a number in, a small record out, a stage as checkpoint.
enum TestJob: JobKind {
    struct Payload: Codable, Sendable, Equatable {
        var n: Int?
        var input: String?
        init(n: Int? = nil, input: String? = nil) {
            self.n = n
            self.input = input
        }
    }
    struct Checkpoint: Codable, Sendable, Equatable { var stage: String }
    struct Result: Codable, Sendable, Equatable {
        var job: Int?
        var output: String?
        init(job: Int? = nil, output: String? = nil) {
            self.job = job
            self.output = output
        }
    }
    typealias Usage = [String: Double]
}

/// A fresh database on the shared test server, migrated, with a queue whose clock the test moves.
struct QueueFixture {
    let url: String
    let database: Database
    let clock: ManualClock
    let queue: JobQueue<TestJob>

    init() async throws {
        let server = try PostgresServer.shared.get()
        url = try server.createDatabase()
        database = Database(Database.Configuration(url: url))
        try await SchemaMigrator.migrate(database)
        clock = ManualClock(start: 1_900_000_000)
        queue = JobQueue(database: database, clock: .custom { [clock] in clock.now })
    }

    /// Another connection to the same database (another worker or daemon), whose clock runs `ahead`
    /// seconds in front of the test's clock.
    func peer(ahead: Double = 0) -> JobQueue<TestJob> {
        JobQueue(database: Database(Database.Configuration(url: url)), clock: .custom { [clock] in clock.now + ahead })
    }

    func submit(_ n: Int, queue name: String = "default", priority: Int = 0) async throws -> [Int] {
        var ids: [Int] = []
        for i in 0..<n {
            var job = JobSubmission<TestJob>(payload: .init(n: i), queue: name)
            job.priority = priority
            job.runAt = clock.now
            ids.append(try await queue.submit(job).id)
        }
        return ids
    }
}

/// A clock the test sets by hand.
final class ManualClock: @unchecked Sendable {
    private var value: Double
    private let lock = NSLock()
    init(start: Double) { value = start }
    var now: Double { lock.lock(); defer { lock.unlock() }; return value }
    func advance(_ seconds: Double) { lock.lock(); value += seconds; lock.unlock() }
}

import Foundation
