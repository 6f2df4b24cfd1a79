import DubSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite("ParallelWork")
struct ParallelWorkTests {
    struct Boom: Error {}

    @Test("runs the bodies at once and returns their results in order")
    func resultsInOrder() throws {
        let running = Atomic<Int>(0), most = Atomic<Int>(0)
        let results = try ParallelWork.run(2) { index -> Int in
            let now = running.add(1, ordering: .relaxed).newValue
            _ = most.max(now, ordering: .relaxed)
            // Both are running before either ends (each waits, up to 5 s, for the other to start).
            for _ in 0..<5000 where running.load(ordering: .relaxed) < 2 { usleep(1000) }
            return index * 10
        }
        let overlapping = most.load(ordering: .relaxed)
        #expect(results == [0, 10])
        #expect(overlapping == 2)
    }

    @Test("a body that fails stops the other, and its own error is thrown, not the other's cancellation")
    func failureStopsTheOther() throws {
        let stopped = Atomic<Bool>(false)
        #expect(throws: Boom.self) {
            _ = try ParallelWork.run(2) { index in
                if index == 1 { throw Boom() }
                // The other loops until it sees the cancellation (at most 10 s).
                for _ in 0..<10_000 {
                    if WorkCancellation.isCancelled { stopped.store(true, ordering: .relaxed); try WorkCancellation.check() }
                    usleep(1000)
                }
            }
        }
        let sawCancellation = stopped.load(ordering: .relaxed)
        #expect(sawCancellation)
    }
}
