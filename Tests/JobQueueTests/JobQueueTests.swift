import DubSupport
import Providers
import JobQueue
import TestSupport
import Testing

@Suite("Job queue on a real PostgreSQL", .tags(.database))
struct JobQueueTests {
    @Test("migrations apply once, even from several connections at once; a newer schema is refused")
    func migrations() async throws {
        let server = try PostgresServer.shared.get()
        let url = try server.createDatabase()
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask { try await SchemaMigrator.migrate(Database(Database.Configuration(url: url))) }
            }
            return try await group.reduce([], +)
        }
        #expect(applied == Array(1...SchemaMigrator.latestVersion))
        let db = Database(Database.Configuration(url: url))
        try await SchemaMigrator.requireCompatible(db)
        try await db.query("INSERT INTO dub_schema_migrations (version) VALUES (999)")
        let error = try await #require(throws: DatabaseError.self) { try await SchemaMigrator.requireCompatible(db) }
        #expect(error.kind == .schema)
        #expect(error.description.contains("newer"))
    }

    @Test("payload, checkpoint, result and usage go in as their types and come back equal from every reader")
    func typedRecords() async throws {
        let f = try await QueueFixture()
        var submission = JobSubmission<TestJob>(payload: .init(n: 7, input: "clip \"ä\".mp4"))
        submission.runAt = f.clock.now
        let id = try await f.queue.submit(submission).id
        let lease = try #require(try await f.queue.claim(queues: ["default"], limit: 1, owner: "w").first)
        #expect(lease.payload == submission.payload && lease.checkpoint == nil)
        #expect(try await f.queue.checkpoint(lease, .init(stage: "mix")))
        #expect(try await f.queue.job(id)?.checkpoint == .init(stage: "mix"))
        #expect(try await f.queue.complete(lease, result: .init(job: id, output: "/out/a.mp4"), usage: ["openai": 12.5]))
        let stored = try #require(try await f.queue.job(id))
        #expect(stored.payload == submission.payload)
        #expect(stored.result == .init(job: id, output: "/out/a.mp4"))
        #expect(stored.usage == ["openai": 12.5])
        #expect(try await f.queue.list().map(\.payload) == [submission.payload])
    }

    @Test("a claimed job whose stored payload this version cannot read fails at once (badRecord), and is not handed out")
    func unreadablePayload() async throws {
        let f = try await QueueFixture()
        let ids = try await f.submit(2)
        // Written by another version: `n` is not a number.
        try await f.database.query("UPDATE dub_jobs SET payload = '{\"n\": \"seven\"}'::jsonb WHERE id = $1", ["\(ids[0])"])
        let leases = try await f.queue.claim(queues: ["default"], limit: 2, owner: "w")
        #expect(leases.map(\.jobId) == [ids[1]])
        let row = try #require(try await f.database.query("SELECT state, errors::text AS errors FROM dub_jobs WHERE id = $1", ["\(ids[0])"]).first)
        #expect(row.string("state") == "failed")
        #expect(row.string("errors")?.contains("badRecord") == true, "\(row.string("errors") ?? "")")
        // Reading it as a typed record says which job and field cannot be read; a listing shows the others.
        let error = try await #require(throws: JobRecordError.self) { try await f.queue.job(ids[0]) }
        #expect(error.job == ids[0] && error.field == "payload")
        let records = try await f.queue.records()
        #expect(records.count == 2 && records.compactMap { try? $0.get().id } == [ids[1]])
        #expect(try await f.queue.list().map(\.id) == [ids[1]])
        // A result this version cannot read (an older report's shape) leaves the job readable, the field named.
        #expect(try await f.queue.complete(leases[0], result: .init(job: 1)))
        try await f.database.query("UPDATE dub_jobs SET result = '{\"job\": \"one\"}'::jsonb WHERE id = $1", ["\(ids[1])"])
        let done = try #require(try await f.queue.job(ids[1]))
        #expect(done.state == .succeeded && done.result == nil && done.unreadable == ["result"])
    }

    @Test("claims follow priority, then run time, then id; future jobs wait for their time")
    func order() async throws {
        let f = try await QueueFixture()
        let low = try await f.submit(2, priority: 5)
        let high = try await f.submit(2, priority: 1)
        var later = JobSubmission<TestJob>(payload: .init())
        later.runAt = f.clock.now + 60
        let future = try await f.queue.submit(later).id
        let claimed = try await f.queue.claim(queues: ["default"], limit: 10, owner: "w1")
        #expect(claimed.map(\.jobId).sorted() == (high + low).sorted())
        let first = try await f.peer().claim(queues: ["default"], limit: 1, owner: "w2")
        #expect(first.isEmpty)
        f.clock.advance(61)
        #expect(try await f.queue.claim(queues: ["default"], limit: 5, owner: "w1").map(\.jobId) == [future])
        // Priority order among what one claim takes.
        let g = try await QueueFixture()
        let l = try await g.submit(1, priority: 9)
        let h = try await g.submit(1, priority: 0)
        #expect(try await g.queue.claim(queues: ["default"], limit: 1, owner: "w").map(\.jobId) == h)
        #expect(try await g.queue.claim(queues: ["default"], limit: 1, owner: "w").map(\.jobId) == l)
    }

    @Test("with a backlog of thousands, repeated claims run on the plan the server keeps instead of being planned afresh each time")
    func claimKeepsItsPlan() async throws {
        let f = try await QueueFixture()
        try await f.database.query("INSERT INTO dub_jobs (payload) SELECT jsonb_build_object('n', n) FROM generate_series(1, 5000) n")
        try await f.database.query("ANALYZE dub_jobs")
        for _ in 0..<8 {
            #expect(try await f.queue.claim(queues: ["default"], limit: 1, owner: "w").count == 1)
        }
        // PostgreSQL plans a prepared statement for its first five runs, then keeps a generic plan only if it costs no
        // more than those: a claim whose limit is a parameter never gets there (its generic plan scans the table).
        let plans = try #require(try await f.database.query(
            "SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement LIKE $1",
            ["%FOR UPDATE SKIP LOCKED%"]).first)
        #expect(try plans.int("generic") >= 2)
        #expect(try plans.int("custom") <= 6)
    }

    @Test("many claimers on one database: every job claimed exactly once")
    func manyClaimers() async throws {
        let f = try await QueueFixture()
        let ids = try await f.submit(240)
        let claimed = try await withThrowingTaskGroup(of: [Int].self) { group in
            for w in 0..<8 {
                let queue = f.peer()
                group.addTask {
                    var mine: [Int] = []
                    while true {
                        let leases = try await queue.claim(queues: ["default"], limit: 3, owner: "worker-\(w)")
                        if leases.isEmpty { return mine }
                        for lease in leases {
                            #expect(try await queue.complete(lease, result: .init()))
                            mine.append(lease.jobId)
                        }
                    }
                }
            }
            return try await group.reduce([], +)
        }
        #expect(claimed.count == ids.count)
        #expect(Set(claimed) == Set(ids))
        let jobs = try await f.queue.list(limit: 1000)
        #expect(jobs.allSatisfy { $0.state == .succeeded && $0.attempt == 1 })
    }

    @Test("an expired lease is reaped to retrying with backoff; the old holder's writes touch nothing")
    func leaseExpiry() async throws {
        let f = try await QueueFixture()
        _ = try await f.submit(1)
        let lease = try #require(try await f.queue.claim(queues: ["default"], limit: 1, owner: "stalled").first)
        #expect(try await f.queue.heartbeat(lease) == .renewed)
        f.clock.advance(89)
        #expect(try await f.peer().reap().isEmpty)
        f.clock.advance(2)
        let reaped = try await f.peer().reap()
        #expect(reaped.map(\.id) == [lease.jobId])
        #expect(reaped.first?.state == .retrying)
        #expect(try await f.queue.heartbeat(lease) == .lost)
        #expect(try await !f.queue.complete(lease, result: .init()))
        #expect(try await f.queue.checkpoint(lease, .init(stage: "x")) == false)
        let job = try #require(try await f.queue.job(lease.jobId))
        #expect(job.state == .retrying)
        #expect(job.errors.last?.code == "lease_expired")
        #expect(job.errors.last?.owner == "stalled")
        let wait = job.runAt - f.clock.now
        #expect(wait >= 27 && wait <= 33, "retry in \(wait) s")
        // The retry is claimed by someone else with a new token and attempt 2.
        f.clock.advance(34)
        let again = try #require(try await f.peer().claim(queues: ["default"], limit: 1, owner: "fresh").first)
        #expect(again.attempt == 2)
        #expect(again.token != lease.token)
        #expect(try await !f.queue.complete(lease, result: .init()))
        #expect(try await f.queue.complete(again, result: .init(output: "ok")))
    }

    @Test("backoff grows 30 s · 4^(n−1) up to an hour, and the last attempt fails the job")
    func backoff() async throws {
        let f = try await QueueFixture()
        var job = JobSubmission<TestJob>(payload: .init())
        job.maxAttempts = 6
        job.runAt = f.clock.now
        let id = try await f.queue.submit(job).id
        var waits: [Double] = []
        for attempt in 1...6 {
            let lease = try #require(try await f.queue.claim(queues: ["default"], limit: 1, owner: "w").first)
            #expect(lease.attempt == attempt)
            let state = try await f.queue.fail(lease, code: "provider", message: "503 from the provider", permanent: false, random: 0.5)
            let stored = try #require(try await f.queue.job(id))
            if attempt < 6 {
                #expect(state == .retrying)
                waits.append(stored.runAt - f.clock.now)
                f.clock.advance(stored.runAt - f.clock.now + 1)
            } else {
                #expect(state == .failed)
                #expect(stored.errors.count == 6)
                #expect(stored.finishedAt != nil)
            }
        }
        #expect(waits.map { $0.rounded() } == [30, 120, 480, 1920, 3600])
        let b = Backoff()
        #expect(b.delay(afterAttempt: 1, unit: 0) == 27)
        #expect(b.delay(afterAttempt: 1, unit: 1) == 33)
    }

    @Test("a permanent error fails at once; a graceful release does not count the attempt")
    func permanentAndRelease() async throws {
        let f = try await QueueFixture()
        _ = try await f.submit(2)
        let leases = try await f.queue.claim(queues: ["default"], limit: 2, owner: "w")
        #expect(try await f.queue.fail(leases[0], code: "bad_input", message: "no audio stream", permanent: true) == .failed)
        #expect(try await f.queue.release(leases[1], checkpoint: .init(stage: "translate")))
        let released = try #require(try await f.queue.job(leases[1].jobId))
        #expect(released.state == .queued)
        #expect(released.attempt == 0)
        #expect(released.checkpoint?.stage == "translate")
        let again = try #require(try await f.queue.claim(queues: ["default"], limit: 1, owner: "w").first)
        #expect(again.attempt == 1)
        #expect(again.checkpoint?.stage == "translate")
    }

    @Test("cancel in every state")
    func cancel() async throws {
        let f = try await QueueFixture()
        let ids = try await f.submit(5)
        #expect(try await f.queue.cancel(ids[0]) == .cancelled)
        let leases = try await f.queue.claim(queues: ["default"], limit: 3, owner: "w")
        // retrying → cancelled at once
        _ = try await f.queue.fail(leases[0], code: "x", message: "x", permanent: false, random: 0.5)
        #expect(try await f.queue.cancel(leases[0].jobId) == .cancelled)
        // running → requested; the worker sees it at its heartbeat and acknowledges
        #expect(try await f.queue.cancel(leases[1].jobId) == .requested)
        #expect(try await f.queue.heartbeat(leases[1]) == .cancelRequested)
        #expect(try await f.queue.acknowledgeCancel(leases[1]))
        // running, cancel requested, worker dead → the reaper cancels it
        #expect(try await f.queue.cancel(leases[2].jobId) == .requested)
        f.clock.advance(100)
        #expect(try await f.queue.reap().first?.state == .cancelled)
        // finished → reported, unchanged
        #expect(try await f.queue.cancel(ids[0]) == .alreadyFinished(.cancelled))
        for id in [ids[0], leases[0].jobId, leases[1].jobId, leases[2].jobId] {
            #expect(try await f.queue.job(id)?.state == .cancelled)
        }
        #expect(try await f.queue.job(ids[4])?.state == .queued)
        await #expect(throws: DatabaseError.self) { try await f.queue.cancel(987_654) }
    }

    @Test("completion racing the reaper: exactly one of them wins", arguments: 0..<5)
    func completionRace(round: Int) async throws {
        let f = try await QueueFixture()
        _ = try await f.submit(1)
        let lease = try #require(try await f.queue.claim(queues: ["default"], limit: 1, owner: "w").first)
        f.clock.advance(91)
        let reaper = f.peer()
        async let reaped = reaper.reap()
        async let completed = f.queue.complete(lease, result: .init())
        let (r, c) = try await (reaped, completed)
        let job = try #require(try await f.queue.job(lease.jobId))
        #expect(r.isEmpty == c, "reaped \(r), completed \(c)")
        #expect(job.state == (c ? .succeeded : .retrying))
    }

    @Test("dedupe key: the same live work returns the existing job; finished work can be submitted again")
    func dedupe() async throws {
        let f = try await QueueFixture()
        var job = JobSubmission<TestJob>(payload: .init(input: "a.mp4"))
        job.dedupeKey = "a.mp4->es"
        job.runAt = f.clock.now
        let first = try await f.queue.submit(job)
        let second = try await f.queue.submit(job)
        #expect(!first.existing && second.existing && first.id == second.id)
        let lease = try #require(try await f.queue.claim(queues: ["default"], limit: 1, owner: "w").first)
        #expect(try await f.queue.submit(job).id == first.id)
        #expect(try await f.queue.complete(lease, result: .init()))
        let third = try await f.queue.submit(job)
        #expect(!third.existing && third.id != first.id)
    }

    @Test("prune deletes old finished jobs in batches and nothing live")
    func prune() async throws {
        let f = try await QueueFixture()
        _ = try await f.submit(25)
        for lease in try await f.queue.claim(queues: ["default"], limit: 20, owner: "w") {
            #expect(try await f.queue.complete(lease, result: .init()))
        }
        f.clock.advance(3600)
        let deleted = try await f.queue.prune(olderThan: 1800, batch: 7)
        #expect(deleted.count == 20)
        await #expect(throws: DatabaseError.self) { try await f.queue.prune(olderThan: -5) }
        #expect(try await f.queue.list().count == 5, "a negative age deleted finished jobs")
        #expect(try await f.queue.list().count == 5)
        #expect(try await f.queue.stats()["default"]?[.queued] == 5)
    }

    @Test("retry puts a failed job back with one more attempt")
    func retry() async throws {
        let f = try await QueueFixture()
        _ = try await f.submit(1)
        let lease = try #require(try await f.queue.claim(queues: ["default"], limit: 1, owner: "w").first)
        _ = try await f.queue.fail(lease, code: "auth", message: "401", permanent: true)
        try await f.queue.retry(lease.jobId)
        let again = try #require(try await f.queue.claim(queues: ["default"], limit: 1, owner: "w").first)
        #expect(again.attempt == 2)
        await #expect(throws: DatabaseError.self) { try await f.queue.retry(lease.jobId) }
    }

    @Test("a completion that claims: the job succeeds and the next jobs in priority order are claimed by the same call; a lost lease or a result the server refuses leaves the claim standing")
    func completeThenClaim() async throws {
        let f = try await QueueFixture()
        let first = try await f.submit(1, priority: 0)
        let low = try await f.submit(1, priority: 9)
        let high = try await f.submit(2, priority: 1)
        let lease = try #require(try await f.queue.claim(queues: ["default"], limit: 1, owner: "w").first)
        #expect([lease.jobId] == first)
        let done = await f.queue.complete(lease, result: .init(job: lease.jobId), thenClaim: ["default"], limit: 2, owner: "w")
        #expect(try done.completed.get())
        let running = try done.claimed.get()
        #expect(running.map(\.jobId) == high)
        let job = try #require(try await f.queue.job(lease.jobId))
        #expect(job.state == .succeeded && job.result == .init(job: lease.jobId))
        // The same lease again: lost, and the claim still takes the last job.
        let again = await f.queue.complete(lease, result: .init(), thenClaim: ["default"], limit: 1, owner: "w")
        #expect(try again.completed.get() == false)
        #expect(try again.claimed.get().map(\.jobId) == low)
        // A result PostgreSQL refuses (jsonb holds no \u0000): the completion fails with the server's error and the job
        // keeps running; the claim after it, a transaction of its own, stands.
        let more = try await f.submit(1)
        let refused = await f.queue.complete(running[0], result: .init(output: "a\u{0}b"), thenClaim: ["default"], limit: 1, owner: "w")
        #expect(throws: DatabaseError.self) { try refused.completed.get() }
        if case .failure(let error as DatabaseError) = refused.completed { #expect(error.sqlState == "22P05") }
        #expect(try refused.claimed.get().map(\.jobId) == more)
        #expect(try await f.queue.job(running[0].jobId)?.state == .running)
        #expect(try await f.queue.complete(running[0], result: .init(output: "ab")))
    }

    @Test("pipelined statements: each its own transaction, in order; a failing one gets its error and stops nothing")
    func pipeline() async throws {
        let f = try await QueueFixture()
        try await f.database.query("CREATE TABLE pipelined (n int)")
        let backend = try await f.database.backendPID()
        let results = try await f.database.pipeline([
            SQLStatement("INSERT INTO pipelined VALUES ($1::int) RETURNING n", ["1"]),
            SQLStatement("SELECT 1 / $1::int AS n", ["0"], context: "divide"),
            SQLStatement("INSERT INTO pipelined SELECT max(n) + $1::int FROM pipelined RETURNING n", ["1"]),
        ])
        #expect(try results[0].get().map { try $0.int("n") } == [1])
        #expect(throws: DatabaseError.self) { try results[1].get() }
        if case .failure(let error) = results[1] { #expect(error.sqlState == "22012" && error.context == "divide") }
        // The third saw the first's row: run after it, and not undone by the failure between them.
        #expect(try results[2].get().map { try $0.int("n") } == [2])
        #expect(try await f.database.query("SELECT n FROM pipelined ORDER BY n").map { try $0.int("n") } == [1, 2])
        // The connection is back to one statement at a time, on the same session (not reset on the way).
        #expect(try await f.database.query("SELECT $1::int AS n", ["7"]).first?.int("n") == 7)
        #expect(try await f.database.backendPID() == backend)
        // Statements the server has forgotten (a pooler, DEALLOCATE) are run again unprepared, each with its own result.
        try await f.database.query("DEALLOCATE ALL")
        let again = try await f.database.pipeline([
            SQLStatement("INSERT INTO pipelined VALUES ($1::int) RETURNING n", ["5"]),
            SQLStatement("SELECT 1 / $1::int AS n", ["1"]),
        ])
        #expect(try again.map { try $0.get().map { try $0.int("n") } } == [[5], [1]])
    }

    @Test("NOTIFY on submit reaches a listener, with the job's queue as payload")
    func notify() async throws {
        let f = try await QueueFixture()
        let listener = try NotificationListener(Database.Configuration(url: f.url), channel: JobChannel.work)
        let stream = listener.payloads()
        // The listener connects in the background: submit until one notification arrives, instead of guessing how
        // long its LISTEN takes.
        let submitter = Task {
            while !Task.isCancelled {
                _ = try await f.submit(1, queue: "urgent")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { submitter.cancel() }
        let first = Task { var iterator = stream.makeAsyncIterator(); return await iterator.next() }
        #expect(await value(of: first, within: 60) == "urgent")
    }
}
