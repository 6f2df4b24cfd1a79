
import DubSupport
import Synchronization
import Testing

@Suite("BlockingWork")
struct BlockingWorkTests {
    struct Boom: Error {}

    @Test("runs on its own thread and returns the value or the error")
    func runs() async throws {
        let value = try await BlockingWork.run { (1...1000).reduce(0, +) }
        #expect(value == 500_500)
        await #expect(throws: Boom.self) { try await BlockingWork.run { throw Boom() } }
    }

    @Test("cancelling the calling task stops a long loop that checks WorkCancellation within a few checks")
    func cancellationReachesTheLoop() async throws {
        let iterations = Atomic<Int>(0)
        let task = Task {
            try await BlockingWork.run {
                // A loop that would run for ~50 s, checking every 10 ms as the media loops do.
                for _ in 0..<5000 {
                    try WorkCancellation.check()
                    iterations.add(1, ordering: .relaxed)
                    usleep(10_000)
                }
            }
        }
        while iterations.load(ordering: .relaxed) < 5 { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(iterations.load(ordering: .relaxed) < 1000, "the loop kept going after the cancel")
        // Outside blocking work, the check reads the current task.
        let inTask = await Task { withUnsafeCurrentTask { $0?.cancel() }; return WorkCancellation.isCancelled }.value
        #expect(inTask)
        #expect(!WorkCancellation.isCancelled)
    }

    @Test("many blocking jobs at once do not starve each other")
    func concurrent() async throws {
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<32 {
                group.addTask { try await BlockingWork.run { usleep(20_000); return i } }
            }
            return try await group.reduce(0, +)
        }
        #expect(total == (0..<32).reduce(0, +))
    }
}

#if canImport(Glibc)
import Glibc
#endif
