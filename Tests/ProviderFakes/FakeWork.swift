import Foundation

/// Runs a fake's heavy work (decoding an upload, parsing a large body) on its own thread, so the fakes never hold
/// the cooperative pool that the code under test needs on a small machine.
enum FakeWork {
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
