import DubSupport
import Dispatch
import Synchronization

/// Writes a sound file on a thread of its own, so that encoding and the kernel's copy into the page cache run on the
/// other core while the caller computes the next chunk. Holds at most `depth` batches in flight (the caller waits
/// beyond that, so memory stays flat: `depth` × `batch` samples). Sole owner of its `SoundFileWriter`, which only the
/// writing thread touches after `init`. A write error is rethrown by the next `write` or by `close`. An `observer` (a
/// loudness meter, say) sees every batch, in order, on a thread of its own before the batch is written, so the caller,
/// the observer and the writing share the cores as their loads fall; `close` returns once it has seen the last batch.
public final class BackgroundSoundWriter {
    private let thread = SerialThread()
    private let observerThread: SerialThread?
    private let slots: DispatchSemaphore
    private let state: State
    private let batch: Int
    private var pending: [Float] = []
    private var closed = false

    /// Opens the file (on the calling thread, so an open error is thrown here) and starts the writing thread.
    public init(path: String, format: SoundFileFormat, sampleRate: Int, channels: Int, depth: Int = 4, batch: Int = 1 << 16,
                observer: (([Float]) -> Void)? = nil) throws {
        state = State(writer: try SoundFileWriter(path: path, format: format, sampleRate: sampleRate, channels: channels),
                      observer: observer)
        slots = DispatchSemaphore(value: depth)
        self.batch = batch
        observerThread = observer == nil ? nil : SerialThread()
    }

    /// Left without `close` (the caller threw): the batches still queued are skipped, and the threads are done with
    /// the file and the observer before they go.
    deinit {
        if !closed {
            state.fail(CancellationError())
            let done = DispatchSemaphore(value: 0)
            afterObserving { done.signal() }
            done.wait()
        }
        observerThread?.shutdown()
        thread.shutdown()
    }

    /// Runs `work` on the writing thread once the observer has seen every batch queued before it.
    private func afterObserving(_ work: @escaping () -> Void) {
        if let observerThread {
            let thread = thread
            observerThread.submit { thread.submit(work) }
        } else {
            thread.submit(work)
        }
    }

    /// Queues interleaved samples (in batches of at least `batch` samples, so the thread wakes rarely); waits while
    /// `depth` batches are still being written.
    public func write(_ samples: [Float]) throws {
        if let error = state.failure { throw error }
        pending.append(contentsOf: samples)
        if pending.count >= batch { flush() }
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        // The batch goes in a box the writing thread empties, so its buffer comes back for a later batch: a fresh one
        // each time was fresh pages, each faulted in (a third of a separation's system time).
        let full = Batch(pending)
        pending = state.spare() ?? []
        pending.reserveCapacity(batch)
        slots.wait()
        let state = state, slots = slots
        let write = {
            if state.failure == nil {
                do { try state.writer.write(full.samples) } catch { state.fail(error) }
            }
            state.recycle(full.take())
            slots.signal()
        }
        if let observerThread, let observer = state.observer {
            let thread = thread
            observerThread.submit {
                if state.failure == nil { observer(full.samples) }
                thread.submit(write)
            }
        } else {
            thread.submit(write)
        }
    }

    /// Writes what is queued, closes the file and returns the frames written; throws the first write or close error.
    @discardableResult
    public func close() throws -> Int {
        flush()
        closed = true
        let state = state
        let done = DispatchSemaphore(value: 0)
        afterObserving {
            if state.failure == nil {
                do { try state.writer.close() } catch { state.fail(error) }
            }
            done.signal()
        }
        done.wait()
        if let error = state.failure { throw error }
        return state.writer.framesWritten
    }

    /// What the writing thread shares with the caller: the writer (touched by the thread only, until `close` has
    /// waited for it), the first error and the emptied batch buffers (each behind a lock).
    private final class State: @unchecked Sendable {
        let writer: SoundFileWriter
        let observer: (([Float]) -> Void)?
        private let error = Mutex<(any Error)?>(nil)
        init(writer: SoundFileWriter, observer: (([Float]) -> Void)?) {
            self.writer = writer
            self.observer = observer
        }
        private let buffers = Mutex<[[Float]]>([])
        var failure: (any Error)? { error.withLock { $0 } }
        func fail(_ failure: any Error) { error.withLock { if $0 == nil { $0 = failure } } }
        /// An emptied buffer of a written batch, if one is back.
        func spare() -> [Float]? { buffers.withLock { $0.popLast() } }
        func recycle(_ buffer: consuming [Float]) {
            var buffer = buffer
            buffer.removeAll(keepingCapacity: true)
            buffers.withLock { [buffer] in $0.append(buffer) }
        }
    }

    /// A batch on its way to the writing thread, which takes its buffer back out when done.
    private final class Batch: @unchecked Sendable {
        private(set) var samples: [Float]
        init(_ samples: [Float]) { self.samples = samples }
        /// The buffer, no longer shared with the box (so emptying it keeps its storage).
        func take() -> [Float] {
            defer { samples = [] }
            return samples
        }
    }
}
