import DubSupport
import Providers
import JobQueue
import TestSupport
import Testing

/// A fresh database on the shared test server, migrated, with a queue whose clock the test moves.
struct QueueFixture {
    let url: String
    let database: Database
    let clock: ManualClock
    let queue: JobQueue

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
    func peer(ahead: Double = 0) -> JobQueue {
        JobQueue(database: Database(Database.Configuration(url: url)), clock: .custom { [clock] in clock.now + ahead })
    }

    func submit(_ n: Int, queue name: String = "default", priority: Int = 0) async throws -> [Int] {
        var ids: [Int] = []
        for i in 0..<n {
            var job = JobSubmission(payload: "{\"n\": \(i)}", queue: name)
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
