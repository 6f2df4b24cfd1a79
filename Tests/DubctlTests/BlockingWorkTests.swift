import Pipeline
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
