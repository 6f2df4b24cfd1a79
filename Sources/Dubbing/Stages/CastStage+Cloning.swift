import DubSupport
import ProviderAPI
import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CastStage {
    /// Speech gathered for a clone: at most this many seconds, and a warning below `wantedSeconds`.
    static let maxCloneSeconds = 60.0
    static let wantedSeconds = 20.0
    /// Where the samples go in the work folder.
    static let cloneFolder = "clone"

    /// Each speaker not given a voice by the operator gets a voice cloned from their cleanest speech; a clone already
    /// made from the same sample (in the previous `voices.json`, not deleted) is reused.
    func clone(_ cast: VoiceCast, previous: VoiceCast?, lines: [DubLine], input: Input, cloner: any VoiceCloner,
               context: StageContext) async throws -> VoiceCast {
        var cast = cast
        let old = Dictionary((previous?.roles ?? []).map { ($0.speaker, $0) }) { first, _ in first }
        try WorkFolder.makeDirectories(context.work.path(Self.cloneFolder))
        let job = String(try CacheKey([context.work.root]).short.prefix(8))
        for index in cast.roles.indices {
            let role = cast.roles[index]
            guard voiceMap[role.speaker] == nil, fixedVoice == nil, !role.speaker.isEmpty else { continue }
            let sample = "\(Self.cloneFolder)/\(try Self.fileName(role.speaker)).wav"
            let picked = try await Self.gatherSample(of: role.speaker, lines: lines, voices: input.voices, background: input.background,
                                                     to: context.work.path(sample))
            guard picked.seconds > 0 else {
                await context.warn("speaker \(role.speaker): no speech of their own to clone from; cast voice \(role.voice ?? "default") used")
                continue
            }
            if picked.seconds < Self.wantedSeconds {
                await context.warn("speaker \(role.speaker): only \(picked.seconds.fixed(1)) s of clean speech to clone from (\(Int(Self.wantedSeconds)) s or more sound more like them)")
            }
            let digest = CacheKey(bytes: try InputFile.read(context.work.path(sample), what: "voice sample", limit: InputFile.workFileLimit)).short
            if let clone = old[role.speaker]?.clone, clone.digest == digest, !clone.deleted, try await cloner.hasVoice(clone.voiceID) {
                cast.roles[index].clone = clone
            } else {
                let id = try await cloner.addVoice(name: "\(CatalogVoice.clonePrefix)\(job)-\(role.speaker)", samples: [context.work.path(sample)],
                                                   description: "Cloned by dub from speaker \(role.speaker) of a video, with the operator's consent (--clone-voices).")
                cast.roles[index].clone = VoiceCast.Clone(voiceID: id, sample: sample, seconds: picked.seconds, digest: digest, deleted: false)
            }
            cast.roles[index].voice = cast.roles[index].clone?.voiceID
            cast.roles[index].reason = "cloned from \(picked.seconds.fixed(1)) s of their speech (\(picked.lines) lines)"
            // Saved as each clone is made, so an interrupted run knows what exists.
            try context.work.writeJSON(cast, to: VoiceCast.file)
        }
        return cast
    }

    /// Deletes every clone the work folder's `voices.json` records (in use or retired) at the provider, and marks
    /// each deleted as it goes. Returns how many were deleted.
    static func deleteClones(in work: WorkFolder, cloner: any VoiceCloner) async throws -> Int {
        guard var cast = try work.readJSON(VoiceCast.self, from: VoiceCast.file) else { return 0 }
        var deleted = 0
        for clone in cast.liveClones {
            try await cloner.deleteVoice(clone.voiceID)
            for index in cast.roles.indices where cast.roles[index].clone?.voiceID == clone.voiceID { cast.roles[index].clone?.deleted = true }
            for index in (cast.retired ?? []).indices where cast.retired?[index].voiceID == clone.voiceID { cast.retired?[index].deleted = true }
            deleted += 1
            try work.writeJSON(cast, to: VoiceCast.file)
        }
        return deleted
    }

    /// A file name for a speaker's sample: their name's letters and digits (at most 32) and a digest of the whole name,
    /// so no two speakers share one.
    static func fileName(_ speaker: String) throws -> String {
        let safe = String(speaker.prefix(32).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return safe + "-" + String(try CacheKey([speaker]).short.prefix(8))
    }

    /// Writes a speaker's cleanest speech to `path` (44.1 kHz mono 16-bit WAV, lines joined by 0.3 s of silence): their
    /// lines that overlap no other speaker's, cleanest first (the least bed under the voice), up to `maxCloneSeconds`.
    static func gatherSample(of speaker: String, lines: [DubLine], voices: String, background: String?,
                             to path: String) async throws -> (seconds: Double, lines: Int) {
        let own = lines.filter { line in
            line.speaker == speaker && line.duration > 0.3
                && !lines.contains { $0.speaker != speaker && $0.start < line.end && line.start < $0.end }
        }
        return try await BlockingWork.run {
            let rate = 44_100
            func read(_ file: String, _ line: DubLine) throws -> [Float] {
                let reader = try AudioReader(path: file, options: AudioReadOptions(sampleRate: rate, channels: 1, start: line.start, duration: line.duration))
                var samples: [Float] = []
                while let chunk = try reader.next() { samples += chunk }
                return samples
            }
            func rms(_ x: [Float]) -> Double { x.isEmpty ? 0 : (x.reduce(0) { $0 + Double($1 * $1) } / Double(x.count)).squareRoot() }
            var scored: [(line: DubLine, noise: Double)] = []
            for line in own {
                let voice = rms(try read(voices, line))
                guard voice > 1e-4 else { continue }
                scored.append((line, try background.map { rms(try read($0, line)) / voice } ?? 0))
            }
            scored.sort { ($0.noise, $0.line.start) < ($1.noise, $1.line.start) }
            var chosen: [DubLine] = []
            var seconds = 0.0
            for (line, _) in scored where seconds < maxCloneSeconds {
                chosen.append(line)
                seconds += min(line.duration, maxCloneSeconds - seconds)
            }
            guard !chosen.isEmpty else { return (0, 0) }
            try AtomicFile.write(to: path, mode: 0o600) { temp in
                let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .int16), sampleRate: rate, channels: 1)
                var written = 0.0
                for line in chosen.sorted(by: { $0.start < $1.start }) {
                    var samples = try read(voices, line)
                    samples = Array(samples.prefix(Int((maxCloneSeconds - written) * Double(rate))))
                    try writer.write(samples)
                    try writer.write([Float](repeating: 0, count: rate * 3 / 10))
                    written += Double(samples.count) / Double(rate)
                }
                try writer.close()
            }
            return (seconds, chosen.count)
        }
    }
}
