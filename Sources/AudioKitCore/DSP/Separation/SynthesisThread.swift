import DubSupport
import Dispatch
import Synchronization

/// Runs a separation's synthesis half (`SeparationSynthesis`) and hands the stems to their writers, on a thread of its
/// own while the caller reads and analyses the next batches: the two halves of the STFT then share the cores. Holds at
/// most `depth` batches in flight (the caller waits beyond that, so memory stays flat). Sole owner of the synthesis,
/// which only its thread touches (the caller's, with `sequential`: everything then runs there, the reference the tests
/// compare with); a writer's error is rethrown by the next `add` or by `finish`.
final class SynthesisThread {
    private let thread: SerialThread?
    private let slots: DispatchSemaphore
    private let state: State
    private var finished = false

    init(_ synthesis: SeparationSynthesis, vocals: BackgroundSoundWriter, background: BackgroundSoundWriter, sequential: Bool = false,
         depth: Int = 3) {
        state = State(synthesis: synthesis, vocals: vocals, background: background)
        thread = sequential ? nil : SerialThread()
        slots = DispatchSemaphore(value: depth)
    }

    /// Left without `finish` (the caller threw): the batches still queued are skipped, and the thread is done with the
    /// writers before it goes.
    deinit {
        if let thread {
            if !finished {
                state.fail(CancellationError())
                let done = DispatchSemaphore(value: 0)
                thread.submit { done.signal() }
                done.wait()
            }
            thread.shutdown()
        }
    }

    /// Queues an input batch and the spectra of the frames the analysis completed with it.
    func add(_ batch: [Float], spectra: [Float]) throws {
        try run { $0.synthesis.add(batch, spectra: spectra) }
    }

    /// Queues the last frames' spectra and waits until the stems' every sample is with their writers.
    func finish(spectra: [Float]) throws {
        try run { $0.synthesis.finish(spectra: spectra) }
        if let thread {
            let done = DispatchSemaphore(value: 0)
            thread.submit { done.signal() }
            done.wait()
        }
        finished = true
        if let error = state.failure { throw error }
    }

    private func run(_ step: @escaping (State) -> ([Float], [Float])) throws {
        if let error = state.failure { throw error }
        let state = state
        guard let thread else { return try state.write(step(state)) }
        slots.wait()
        let slots = slots
        thread.submit {
            defer { slots.signal() }
            guard state.failure == nil else { return }
            do { try state.write(step(state)) } catch { state.fail(error) }
        }
    }

    /// What the thread works on: the synthesis and the writers (touched by one thread at a time: the synthesis thread,
    /// or the caller once it has waited for that thread), and the first error (behind a lock).
    private final class State: @unchecked Sendable {
        var synthesis: SeparationSynthesis
        let vocals: BackgroundSoundWriter
        let background: BackgroundSoundWriter
        private let error = Mutex<(any Error)?>(nil)
        var failure: (any Error)? { error.withLock { $0 } }
        func fail(_ failure: any Error) { error.withLock { if $0 == nil { $0 = failure } } }

        init(synthesis: SeparationSynthesis, vocals: BackgroundSoundWriter, background: BackgroundSoundWriter) {
            (self.synthesis, self.vocals, self.background) = (synthesis, vocals, background)
        }

        func write(_ stems: ([Float], [Float])) throws {
            try vocals.write(stems.0)
            try background.write(stems.1)
        }
    }
}
