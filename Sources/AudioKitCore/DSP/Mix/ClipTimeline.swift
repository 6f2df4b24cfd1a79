import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// The clips of a mix at the mix's rate and channel count, decoded ahead on the other core and held while they sound.
final class ClipTimeline {
    struct Placed {
        let clip: MixClip
        let startFrame: Int
        let frames: Int
    }

    let placed: [Placed]
    let sampleRate: Int
    let channels: Int
    /// Where the clips go in a surround mix (decoded as mono); nil: decoded to `channels`.
    let dialogue: DialoguePlacement?
    /// Decoded audio of the clips sounding now, by index.
    private var loaded: [Int: [Float]] = [:]
    /// Channels of a decoded clip: the mix's, or one for a surround mix's dialogue.
    private let clipChannels: Int
    /// Decodes clip `index` into a buffer (on the prefetch thread, or here for a clip it did not decode).
    private let decodeClip: (Int, inout [Float]) throws -> Void
    /// Decodes the clips ahead, on the other core.
    private var prefetch: ClipPrefetch?

    /// The clips, decoded ahead of the mix in the order it reaches them; those starting at or after `length` frames
    /// (where the mix is cut) are never decoded.
    init(clips: [MixClip], sampleRate: Int, channels: Int, dialogue: DialoguePlacement? = nil, length: Int? = nil) throws {
        self.sampleRate = sampleRate
        self.channels = channels
        self.dialogue = dialogue
        placed = try clips.map { clip in
            let seconds = try Self.duration(of: clip.path)
            return Placed(clip: clip, startFrame: Int((clip.start * Double(sampleRate)).rounded()),
                          frames: Int((seconds * Double(sampleRate)).rounded()))
        }.sorted { $0.startFrame < $1.startFrame }
        let sources = placed.map { ($0.clip.path, $0.frames) }, width = dialogue == nil ? channels : 1
        clipChannels = width
        decodeClip = { index, buffer in
            try Self.decode(sources[index].0, frames: sources[index].1, sampleRate: sampleRate, channels: width, into: &buffer)
        }
        // Two clips ahead: a line is decoded many times faster than it is mixed, and each one waiting is memory.
        prefetch = ClipPrefetch(count: placed.prefix { $0.startFrame < length ?? .max }.count, ahead: 2, decode: decodeClip)
    }

    /// Lets go of the decoded clips and stops decoding ahead (the mix is past its last block).
    func close() {
        loaded = [:]
        prefetch = nil
    }

    /// A clip's length in seconds: from the sound file's header when libsndfile reads it (a WAV or FLAC line, the
    /// usual case, without a container probe), else from the media libraries' probe.
    static func duration(of path: String) throws -> Double {
        if let file = try? SoundFileReader(path: path) { return file.duration }
        let info = try MediaInfo.probe(path: path)
        guard let stream = info.audioStreams.first else { throw MediaError(.noAudioStream, "no audio stream in clip", path: path) }
        return stream.duration ?? info.duration ?? 0
    }

    /// The frame after the last clip ends.
    var endFrame: Int { placed.map { $0.startFrame + $0.frames }.max() ?? 0 }

    /// Adds every clip overlapping [position, position + block frames) into `block`.
    func add(into block: inout [Float], at position: Int) throws {
        let count = block.count / channels
        for (index, item) in placed.enumerated() {
            guard item.startFrame < position + count, item.startFrame + item.frames + sampleRate > position else {
                if let done = loaded.removeValue(forKey: index) { prefetch?.recycle(done) }
                continue
            }
            let audio = try samples(index)
            let gain = Float(pow(10, item.clip.gain / 20))
            let frames = audio.count / clipChannels
            let fade = max(1, Int(item.clip.fade * Double(sampleRate)))
            let from = max(position, item.startFrame)
            let to = min(position + count, item.startFrame + frames)
            guard to > from else { continue }
            let (channels, start) = (channels, item.startFrame)
            // Between the fades the ramp is exactly 1 (the same product without it): frames whose local index is from
            // fade − 1 to frames − fade.
            let inner = min(to, max(from, start + fade - 1))
            let middle = inner..<max(inner, min(to, start + frames - fade + 1))
            audio.withUnsafeBufferPointer { audio in
                block.withUnsafeMutableBufferPointer { block in
                    func add(_ f: Int, ramp: Float) {
                        let local = f - start
                        let base = (f - position) * channels
                        if let dialogue {
                            let value = audio[local] * gain * ramp
                            block[base + dialogue.channel] += value
                            if dialogue.spread > 0 {
                                block[base] += value * Float(dialogue.spread)
                                block[base + 1] += value * Float(dialogue.spread)
                            }
                        } else {
                            for c in 0..<channels { block[base + c] += audio[local * channels + c] * gain * ramp }
                        }
                    }
                    func faded(_ f: Int) {
                        let local = f - start
                        let edge = min(local + 1, frames - local)
                        add(f, ramp: edge >= fade ? 1 : Float(min(1, Double(edge) / Double(fade))))
                    }
                    for f in from..<middle.lowerBound { faded(f) }
                    if dialogue == nil, !middle.isEmpty {
                        // Clip and block interleave the same channels: one run of samples, which the compiler vectorises.
                        let count = middle.count * channels
                        let source = audio.baseAddress! + (middle.lowerBound - start) * channels
                        let target = block.baseAddress! + (middle.lowerBound - position) * channels
                        for i in 0..<count { target[i] += source[i] * gain }
                    } else {
                        for f in middle { add(f, ramp: 1) }
                    }
                    for f in middle.upperBound..<to { faded(f) }
                }
            }
        }
    }

    private func samples(_ index: Int) throws -> [Float] {
        if let cached = loaded[index] { return cached }
        var all = try prefetch?.take(index) ?? []
        if all.isEmpty {
            // Not decoded ahead (taken out of order, or after `close`): decoded here.
            try decodeClip(index, &all)
        }
        loaded[index] = all
        return all
    }

    /// Decodes a clip into `buffer` (emptied first; its storage is reused: a fresh one is fresh pages, each touched for
    /// the first time, and for a film's lines that cost more than decoding them).
    private static func decode(_ path: String, frames: Int, sampleRate: Int, channels: Int, into buffer: inout [Float]) throws {
        buffer.removeAll(keepingCapacity: true)
        let reader = try ChunkReader(path: path, sampleRate: sampleRate, channels: channels)
        buffer.reserveCapacity((frames + sampleRate / 10) * channels)
        while let chunk = try reader.next() { buffer += chunk }
    }
}

/// The bed's gain over time: down by the duck depth while clips sound, with linear ramps that finish
/// as a clip starts and begin as it ends.
struct Ducking {
    let intervals: [(start: Int, end: Int)]
    let floor: Float
    let attack: Int
    let release: Int

    init(timeline: ClipTimeline, settings: MixSettings, sampleRate: Int) {
        intervals = timeline.placed.map { ($0.startFrame, $0.startFrame + $0.frames) }
        floor = Float(pow(10, -abs(settings.duckDepth) / 20))
        attack = max(1, Int(settings.duckAttack * Double(sampleRate)))
        release = max(1, Int(settings.duckRelease * Double(sampleRate)))
    }

    /// Gains for frames [from, from + count), into `depth` (its storage reused).
    func gains(from: Int, count: Int, into depth: inout [Float]) {
        depth.removeAll(keepingCapacity: true)
        depth.append(contentsOf: repeatElement(0, count: count))
        for interval in intervals where interval.start - attack < from + count && interval.end + release > from {
            let lo = max(from, interval.start - attack), hi = min(from + count, interval.end + release)
            depth.withUnsafeMutableBufferPointer { depth in
                // Attack ramp, the full depth under the clip, release ramp.
                let full = max(lo, interval.start), after = max(lo, interval.end + 1)
                for frame in lo..<max(lo, min(hi, interval.start)) {
                    depth[frame - from] = max(depth[frame - from], 1 - Float(interval.start - frame) / Float(attack))
                }
                for frame in full..<max(full, min(hi, interval.end + 1)) {
                    depth[frame - from] = 1
                }
                for frame in after..<max(after, hi) {
                    depth[frame - from] = max(depth[frame - from], 1 - Float(frame - interval.end) / Float(release))
                }
            }
        }
        let floor = floor
        for i in depth.indices { depth[i] = 1 - (1 - floor) * depth[i] }
    }
}
