import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// Cuts long audio into upload-sized chunks at pauses, so no chunk splits a word: the cut points come from
/// voice activity (`VoiceActivity.bestCut`) near each wanted length. Chunks are written as 16 kHz mono FLAC
/// (about 30 kB a second), streaming, so memory stays flat whatever the input length. The voice-activity pass keeps
/// the 16 kHz samples it measured beside the chunks until they are cut (a float WAV, 64 kB a second: 230 MB an hour),
/// so the audio is decoded and resampled once.
public struct AudioChunker: Sendable {
    /// One piece of the input.
    public struct Chunk: Sendable, Equatable {
        public var path: String
        /// Where the chunk starts in the input, in seconds (added back to its timestamps).
        public var offset: Double
        public var duration: Double
    }

    /// The longest chunk, in seconds.
    public var maxSeconds: Double
    /// How far before the longest cut point to look for a pause, in seconds.
    public var searchWindow: Double
    /// The largest chunk file the provider accepts, in bytes.
    public var maxBytes: Int
    public static let sampleRate = 16_000

    public init(maxSeconds: Double = 600, searchWindow: Double = 30, maxBytes: Int = 26_214_400) {
        self.maxSeconds = maxSeconds
        self.searchWindow = searchWindow
        self.maxBytes = maxBytes
    }

    /// Where to cut `duration` seconds of audio: chunk boundaries (first 0, last `duration`), each chunk at most
    /// `maxSeconds` long, each cut at the quietest moment in the `searchWindow` before the limit.
    public func boundaries(duration: Double, activity: VoiceActivity?) -> [Double] {
        var cuts = [0.0]
        while duration - cuts[cuts.count - 1] > maxSeconds {
            let start = cuts[cuts.count - 1]
            let window = min(searchWindow, maxSeconds / 4)
            let wanted = start + maxSeconds - window
            var cut = activity?.bestCut(near: wanted, within: window) ?? wanted
            cut = min(max(cut, start + maxSeconds / 2), start + maxSeconds)
            cuts.append(cut)
        }
        cuts.append(duration)
        return cuts
    }

    /// Writes `path` as chunks into `folder` (one chunk when it is short enough). Blocking: call off the
    /// cooperative pool.
    public func split(_ path: String, into folder: String) throws -> [Chunk] {
        // Audio that fits one chunk needs no cut, so no pass of voice activity over it first.
        let probed = try MediaInfo.probe(path: path).duration
        let needsCuts = (probed ?? .infinity) > maxSeconds
        // The pass for voice activity keeps the 16 kHz samples it measured: the chunks are cut from those.
        let speech = needsCuts ? AtomicFile.temporaryPath(for: "\(folder)/speech.wav") : nil
        defer { speech.map(AtomicFile.discard) }
        let activity = try speech.map { try VoiceActivityDetector().analyze(path: path, keepingSamplesIn: $0) }
        let duration = activity?.duration ?? probed ?? 0
        let reader = try AudioReader(path: speech ?? path, options: AudioReadOptions(sampleRate: Self.sampleRate, channels: 1))
        let cuts = boundaries(duration: duration, activity: activity).map { Int(($0 * Double(Self.sampleRate)).rounded()) }
        var chunks: [Chunk] = []
        var pending: [Float] = []
        var position = 0
        var exhausted = false
        for (index, (start, end)) in zip(cuts, cuts.dropFirst()).enumerated() {
            let chunkPath = "\(folder)/chunk-\(index).flac"
            let writer = try SoundFileWriter(path: chunkPath, format: try SoundFileFormat(container: .flac, encoding: .int16),
                                             sampleRate: Self.sampleRate, channels: 1)
            let isLast = index == cuts.count - 2
            var written = 0
            while isLast || position < end {
                if pending.isEmpty {
                    guard !exhausted, let next = try reader.next() else { exhausted = true; break }
                    pending = next
                }
                let take = isLast ? pending.count : min(pending.count, end - position)
                try writer.write(Array(pending[0..<take]))
                pending.removeFirst(take)
                position += take
                written += take
            }
            try writer.close()
            let size = (try? FileManager.default.attributesOfItem(atPath: chunkPath)[.size] as? Int) ?? 0
            guard size <= maxBytes else {
                throw ProviderError(code: .badResponse, provider: "chunker",
                                    message: "a \(Int(Double(written) / Double(Self.sampleRate))) s chunk is \(size) bytes, over the \(maxBytes)-byte upload limit; lower the chunk length")
            }
            if written > 0 {
                chunks.append(Chunk(path: chunkPath, offset: Double(start) / Double(Self.sampleRate),
                                    duration: Double(written) / Double(Self.sampleRate)))
            }
        }
        return chunks
    }

    /// Writes the speech of `path` as utterance-sized chunks into `folder`: the voice-activity regions, neighbours less
    /// than `joinGap` apart joined while the chunk stays within `maxSeconds` (a longer region is cut at its quietest
    /// moment). Silence between chunks is left out. For recognisers that return text without timestamps: each chunk's
    /// place in the file times its text. Blocking: call off the cooperative pool.
    public func utterances(_ path: String, into folder: String, joinGap: Double = 0.4) throws -> [Chunk] {
        let speech = AtomicFile.temporaryPath(for: "\(folder)/speech.wav")
        defer { AtomicFile.discard(speech) }
        let activity = try VoiceActivityDetector().analyze(path: path, keepingSamplesIn: speech)
        var spans: [(Double, Double)] = []
        for region in activity.regions {
            if let last = spans.last, region.start - last.1 < joinGap, region.end - last.0 <= maxSeconds {
                spans[spans.count - 1].1 = region.end
                continue
            }
            // A region longer than a chunk is cut at pauses inside it, as long audio is.
            let cuts = boundaries(duration: region.end - region.start, activity: nil).map { $0 + region.start }
            for (start, end) in zip(cuts, cuts.dropFirst()) { spans.append((start, end)) }
        }
        let rate = Double(Self.sampleRate)
        let reader = try AudioReader(path: speech, options: AudioReadOptions(sampleRate: Self.sampleRate, channels: 1))
        var pending: [Float] = []
        var position = 0
        var chunks: [Chunk] = []
        for (index, span) in spans.enumerated() {
            let start = Int((span.0 * rate).rounded()), end = Int((span.1 * rate).rounded())
            let chunkPath = "\(folder)/utterance-\(index).flac"
            let writer = try SoundFileWriter(path: chunkPath, format: try SoundFileFormat(container: .flac, encoding: .int16),
                                             sampleRate: Self.sampleRate, channels: 1)
            var written = 0
            while position < end {
                if pending.isEmpty {
                    guard let next = try reader.next() else { break }
                    pending = next
                }
                let take = min(pending.count, end - position)
                let skip = max(0, min(take, start - position))
                if take > skip { try writer.write(Array(pending[skip..<take])) }
                written += take - skip
                pending.removeFirst(take)
                position += take
            }
            try writer.close()
            if written > 0 { chunks.append(Chunk(path: chunkPath, offset: Double(start) / rate, duration: Double(written) / rate)) }
        }
        return chunks
    }
}
