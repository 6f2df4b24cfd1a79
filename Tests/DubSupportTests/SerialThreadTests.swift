import DubSupport
import Testing

/// An actor that runs on a `SerialThread` and notes where each of its methods ran.
private actor OnThread {
    let thread: SerialThread
    var order: [Int] = []
    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    init(_ thread: SerialThread) { self.thread = thread }

    func append(_ n: Int) -> Bool {
        order.append(n)
        return thread.isCurrent
    }

    /// Whether it is back on the thread after a sleep, and after work queued on its own thread (which must not wait
    /// for the actor's job to end: that would never happen).
    func awaitsAndComesBack() async throws -> (afterSleep: Bool, nested: Int, afterNested: Bool) {
        try await Task.sleep(for: .milliseconds(5))
        let afterSleep = thread.isCurrent
        let thread = thread
        let nested = try await thread.run { thread.isCurrent ? 42 : -1 }
        return (afterSleep, nested, self.thread.isCurrent)
    }
}

@Suite("SerialThread: blocking work on one thread of its own, and an executor for actors")
struct SerialThreadTests {
    @Test("an actor on a SerialThread runs every call there and comes back there after each await, nested work on the thread included")
    func actorRunsOnTheThread() async throws {
        let thread = SerialThread()
        defer { thread.shutdown() }
        let actor = OnThread(thread)
        #expect(!thread.isCurrent)
        let onThread = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<200 { group.addTask { await actor.append(n) } }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(onThread)
        #expect(await actor.order.sorted() == Array(0..<200))
        let (afterSleep, nested, afterNested) = try await actor.awaitsAndComesBack()
        #expect(afterSleep && nested == 42 && afterNested)
    }

    @Test("run runs the body on the thread and returns its value, or throws its error")
    func runReturnsTheBodysValueOrError() async throws {
        let thread = SerialThread()
        defer { thread.shutdown() }
        struct Failure: Error {}
        #expect(try await thread.run { thread.isCurrent ? 7 : 0 } == 7)
        await #expect(throws: Failure.self) { try await thread.run { throw Failure() } }
    }
}
