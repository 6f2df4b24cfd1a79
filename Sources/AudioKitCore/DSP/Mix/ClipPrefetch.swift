import DubSupport
import Dispatch
import Synchronization

/// Decodes a mix's clips ahead of the mix, on a thread of its own, in the order the mix reaches them (by start), so
/// their decoding and resampling run on the other core while the mix adds up the ones sounding now. At most `ahead`
/// decoded clips wait to be taken, so memory stays flat whatever the number of clips. A clip's decoding error is
/// thrown to whoever takes it. Decodes into the buffers of clips the mix has finished with (`recycle`).
final class ClipPrefetch {
    private let thread = SerialThread()
    private let shared: Shared
    private let finished = DispatchSemaphore(value: 0)

    /// Starts decoding clips `0..<count` with `decode` (clip index, a buffer to fill), which runs on the prefetch
    /// thread and must not hold on to the caller.
    init(count: Int, ahead: Int, decode: @escaping (Int, inout [Float]) throws -> Void) {
        // Stopped by deinit, or with the work that started it (its decoding checks the flag at every read).
        let shared = Shared(ahead: ahead, parent: WorkCancellation.currentFlag)
        self.shared = shared
        let finished = finished
        thread.submit {
            defer { finished.signal() }
            WorkCancellation.with(shared.stop) {
                for index in 0..<count {
                    shared.slots.wait()
                    if shared.stop.isSet { break }
                    var buffer = shared.content.withLock { $0.spare.popLast() } ?? []
                    let result = Result { () throws -> [Float] in
                        try decode(index, &buffer)
                        return buffer
                    }
                    shared.content.withLock {
                        $0.ready[index] = result
                        $0.next = index + 1
                    }
                    shared.produced.signal()
                }
                shared.content.withLock { $0.done = true }
                shared.produced.signal()
            }
        }
    }

    /// Stops the thread (whatever it is decoding stops at its next read) and waits for it.
    deinit {
        shared.stop.set()
        shared.slots.signal()
        finished.wait()
        thread.shutdown()
    }

    /// Clip `index`, decoded; nil when the prefetch has passed it without keeping it (taken out of order, or the
    /// thread was stopped): the caller decodes it itself. Results for earlier clips not taken are dropped.
    func take(_ index: Int) throws -> [Float]? {
        while true {
            let (result, freed, passed) = shared.content.withLock { content -> (Result<[Float], any Error>?, Int, Bool) in
                var freed = 0
                for key in content.ready.keys where key < index {
                    if case .success(let buffer) = content.ready.removeValue(forKey: key) { content.spare.append(buffer) }
                    freed += 1
                }
                if let result = content.ready.removeValue(forKey: index) { return (result, freed + 1, true) }
                return (nil, freed, content.next > index || content.done)
            }
            for _ in 0..<freed { shared.slots.signal() }
            if let result { return try result.get() }
            if passed { return nil }
            shared.produced.wait()
        }
    }

    /// Hands back the buffer of a clip the mix has finished with, for a later clip to be decoded into (emptied there,
    /// where it is no longer shared: emptying a shared one would allocate fresh storage).
    func recycle(_ buffer: consuming [Float]) {
        shared.content.withLock { [buffer] in $0.spare.append(buffer) }
    }

    /// What the prefetch thread and the mix share.
    private final class Shared: Sendable {
        struct Content {
            /// Decoded clips (or their errors) not taken yet, by index.
            var ready: [Int: Result<[Float], any Error>] = [:]
            /// The next index the thread decodes.
            var next = 0
            /// Whether the thread has finished.
            var done = false
            /// Buffers to decode into.
            var spare: [[Float]] = []
        }
        let content = Mutex(Content())
        /// One for each decoded clip that may wait to be taken.
        let slots: DispatchSemaphore
        /// Signalled when a clip is decoded, or the thread has finished.
        let produced = DispatchSemaphore(value: 0)
        let stop: CancelFlag

        init(ahead: Int, parent: CancelFlag?) {
            stop = CancelFlag(parent: parent)
            // Created at zero and raised: libdispatch traps when a semaphore goes while under its initial value, and
            // the prefetch can stop holding slots.
            slots = DispatchSemaphore(value: 0)
            for _ in 0..<max(1, ahead) { slots.signal() }
        }
    }
}
