@testable import AudioKitCore
import DubSupport
import Dispatch
import Foundation
import Synchronization
import TestSupport
import Testing

/// The parts that let a mix run on both cores: clips decoded ahead, the limiter in blocks, the true peak's scan and the
/// writer's observer thread.
@Suite("Mix streaming parts")
struct MixStreamingTests {
    struct Broken: Error, Equatable { let index: Int }

    @Test("prefetched clips come decoded, in order, into recycled buffers; a clip's error reaches whoever takes it; a clip it has passed is left to the caller")
    func prefetchOrderErrorsAndRecycling() throws {
        let capacities = Mutex<[Int: Int]>([:])
        let prefetch = ClipPrefetch(count: 6, ahead: 2) { index, buffer in
            capacities.withLock { $0[index] = buffer.capacity }
            buffer.removeAll(keepingCapacity: true)
            if index == 3 { throw Broken(index: 3) }
            buffer.append(contentsOf: repeatElement(Float(index), count: 10_000))
        }
        let first = try #require(try prefetch.take(0))
        #expect(first == [Float](repeating: 0, count: 10_000))
        prefetch.recycle(first)
        #expect(try prefetch.take(1) == [Float](repeating: 1, count: 10_000))
        // Clip 2 is skipped (the mix never asked for it): taking 3 drops it and throws 3's error.
        #expect(throws: Broken(index: 3)) { try prefetch.take(3) }
        #expect(try prefetch.take(2) == nil)
        #expect(try prefetch.take(5) == [Float](repeating: 5, count: 10_000))
        // Clip 0's buffer went to a later clip.
        #expect(capacities.withLock { $0.values.contains { $0 >= 10_000 } })
    }

    @Test("a prefetch dropped with clips still to decode stops its thread at once, having decoded only the clips it may hold")
    func prefetchStopsWhenDropped() throws {
        let decoded = Mutex(0)
        do {
            let prefetch = ClipPrefetch(count: 1000, ahead: 2) { _, buffer in
                decoded.withLock { $0 += 1 }
                buffer = [1, 2, 3]
            }
            #expect(try prefetch.take(0) == [1, 2, 3])
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(decoded.withLock { $0 } <= 4)
    }

    @Test("a prefetch started by cancellable work stops decoding, mid-clip, when that work is cancelled")
    func prefetchFollowsItsCaller() throws {
        let flag = CancelFlag(), decoding = DispatchSemaphore(value: 0)
        let prefetch = WorkCancellation.with(flag) {
            ClipPrefetch(count: 3, ahead: 2) { _, _ in
                decoding.signal()
                // A clip that takes until cancelled: its reads check the flag.
                while true {
                    try WorkCancellation.check()
                    Thread.sleep(forTimeInterval: 0.005)
                }
            }
        }
        decoding.wait()
        flag.set()
        #expect(throws: CancellationError.self) { try prefetch.take(0) }
    }

    @Test("the limiter: a signal under the ceiling comes out sample for sample; one over it never exceeds the ceiling; the output is the same in any block sizes")
    func limiterInBlocks() {
        let rate = 48000, ceiling: Float = 0.5
        var noise = SystemRandomNumberGenerator()
        let quiet = (0..<(rate * 2)).map { _ in Float.random(in: -0.49...0.49, using: &noise) }
        // Bursts far over the ceiling on one channel, every 0.3 s.
        let loud = quiet.enumerated().map { i, x in (i / 2) % 14_400 < 300 && i % 2 == 0 ? x * 3 + 0.9 : x }
        func run(_ input: [Float], blocks: [Int], linked: Bool) -> [Float] {
            var limiter = LookAheadLimiter(ceiling: ceiling, sampleRate: rate, channels: 2, linked: linked)
            var out: [Float] = [], start = 0, b = 0
            while start < input.count {
                let end = min(input.count, start + blocks[b % blocks.count] * 2)
                out += limiter.process(Array(input[start..<end]))
                start = end
                b += 1
            }
            return out + limiter.flush()
        }
        #expect(run(quiet, blocks: [4800], linked: true) == quiet)
        for linked in [true, false] {
            let whole = run(loud, blocks: [loud.count / 2], linked: linked)
            #expect(whole.count == loud.count)
            #expect(whole.allSatisfy { abs($0) <= ceiling })
            #expect(run(loud, blocks: [1, 7, 239, 4800, 31], linked: linked) == whole)
            #expect(whole != loud)
        }
        // Unlinked, the quiet channel is left alone.
        let unlinked = run(loud, blocks: [4800], linked: false)
        #expect(stride(from: 1, to: loud.count, by: 2).allSatisfy { unlinked[$0] == loud[$0] })
    }

    @Test("the true peak's scan finds the largest magnitude, negative or positive, at any length and position")
    func largestMagnitude() {
        var noise = SystemRandomNumberGenerator()
        for count in [0, 1, 15, 16, 17, 100, 4097] {
            var values = (0..<count).map { _ in Float.random(in: -0.5...0.5, using: &noise) }
            for (position, extreme) in [(0, Float(-0.9)), (count - 1, 0.8), (count / 2, -0.95)] where position >= 0 && count > 0 {
                values[position] = extreme
                let expected = values.map(abs).max() ?? 0
                #expect(values.withUnsafeBufferPointer(TruePeakMeter.largestMagnitude) == expected, "\(count) values")
            }
        }
    }

    @Test("a background writer's observer sees every sample in order, on its own thread, before close returns")
    func observerSeesEverySample() throws {
        let scratch = try Scratch()
        let path = scratch.path("out.wav")
        let seen = MeterBox([Float]())
        let writer = try BackgroundSoundWriter(path: path, format: try SoundFileFormat(path: path, encoding: .float32), sampleRate: 48000,
                                               channels: 2, batch: 1000, observer: { seen.meter += $0 })
        let samples = (0..<50_000).map { Float($0 % 1000) / 1000 }
        for start in stride(from: 0, to: samples.count, by: 700) { try writer.write(Array(samples[start..<min(samples.count, start + 700)])) }
        try writer.close()
        #expect(seen.meter == samples)
        #expect(try SoundFileReader(path: path).readAll() == samples)
    }
}
