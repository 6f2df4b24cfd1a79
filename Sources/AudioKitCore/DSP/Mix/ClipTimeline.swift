import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// The clips of a mix, decoded on demand at the mix's rate and channel count.
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

    init(clips: [MixClip], sampleRate: Int, channels: Int, dialogue: DialoguePlacement? = nil) throws {
        self.sampleRate = sampleRate
        self.channels = channels
        self.dialogue = dialogue
        placed = try clips.map { clip in
            let seconds = try Self.duration(of: clip.path)
            return Placed(clip: clip, startFrame: Int((clip.start * Double(sampleRate)).rounded()),
                          frames: Int((seconds * Double(sampleRate)).rounded()))
        }.sorted { $0.startFrame < $1.startFrame }
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
                loaded[index] = nil
                continue
            }
            let audio = try samples(index)
            let gain = Float(pow(10, item.clip.gain / 20))
            let width = dialogue == nil ? channels : 1
            let frames = audio.count / width
            let fade = max(1, Int(item.clip.fade * Double(sampleRate)))
            let from = max(position, item.startFrame)
            let to = min(position + count, item.startFrame + frames)
            guard to > from else { continue }
            for f in from..<to {
                let local = f - item.startFrame
                let ramp = Float(min(1, Double(min(local + 1, frames - local)) / Double(fade)))
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
        }
    }

    private func samples(_ index: Int) throws -> [Float] {
        if let cached = loaded[index] { return cached }
        let reader = try AudioReader(path: placed[index].clip.path,
                                     options: AudioReadOptions(sampleRate: sampleRate, channels: dialogue == nil ? channels : 1))
        var all: [Float] = []
        while let chunk = try reader.next() { all += chunk }
        loaded[index] = all
        return all
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

    /// Gains for frames [from, from + count).
    func gains(from: Int, count: Int) -> [Float] {
        var depth = [Float](repeating: 0, count: count)
        for interval in intervals where interval.start - attack < from + count && interval.end + release > from {
            let lo = max(from, interval.start - attack), hi = min(from + count, interval.end + release)
            for frame in lo..<hi {
                let d: Float
                if frame < interval.start {
                    d = 1 - Float(interval.start - frame) / Float(attack)
                } else if frame <= interval.end {
                    d = 1
                } else {
                    d = 1 - Float(frame - interval.end) / Float(release)
                }
                depth[frame - from] = max(depth[frame - from], d)
            }
        }
        return depth.map { 1 - (1 - floor) * $0 }
    }
}
