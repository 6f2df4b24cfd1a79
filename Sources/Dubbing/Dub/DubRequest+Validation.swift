import DubSupport
import ProviderAPI
import AudioKitCore
#if canImport(Glibc)
import Glibc
#endif

/// The rules every dubbing request is held to, wherever it comes from (`dubctl dub`, `dubctl jobs submit`, a
/// queued payload): the same request is refused the same way before any work starts.
extension DubRequest {
    /// The settings' defaults, in one place.
    public static let defaultASR = "openai"
    public static let defaultTranslator = "openai"
    public static let defaultTTS = "espeak"
    public static let defaultSeparation = "local"
    public static let defaultMaxSpeed = 1.15
    public static let defaultMaxLine = 8.0
    /// The separation methods `--separation` takes.
    public static let separations = ["elevenlabs", "local", "none"]
    /// The layouts `--layout` takes.
    public static let layouts = ["source", "stereo"]
    /// The output containers a dub can be written to.
    public static let outputExtensions = ["mp4", "mkv", "mov", "webm"]

    /// Checks the settings alone (no file is touched): languages, provider names, ranges.
    public func validate() throws(DubRequestError) {
        func fail(_ message: String) -> DubRequestError { DubRequestError(message: message) }
        do { _ = try Language(to) } catch { throw fail("--to: \(error)") }
        if let from { do { _ = try Language(from) } catch { throw fail("--from: \(error)") } }
        for (option, value, role) in [("--asr", asr, ProviderDirectory.Role.transcription), ("--translator", translator, .translation),
                                      ("--tts", tts, .speech)] {
            if let value, !ProviderDirectory.providers(for: role).contains(value) {
                throw fail("\(option) must be one of \(ProviderDirectory.providers(for: role).joined(separator: ", ")), not '\(value)'")
            }
        }
        if let separation, !Self.separations.contains(separation) {
            throw fail("--separation must be \(Self.separations.joined(separator: ", ")), not '\(separation)'")
        }
        if subtitles != nil && sourceSubtitles != nil { throw fail("give --subtitles or --source-subtitles, not both") }
        if let maxLine, !(2...30).contains(maxLine) { throw fail("--max-line must be between 2 and 30 seconds") }
        if let redo, redo.token.isEmpty || redo.token.count > 64 || redo.lines.count > 10_000 {
            throw fail("a redo needs a token of 1 to 64 characters and at most 10000 lines")
        }
        if let subtitleSpeed, !(10...30).contains(subtitleSpeed) { throw fail("--subtitle-speed must be between 10 and 30 characters a second") }
        if let speakers, !(1...32).contains(speakers) { throw fail("--speakers must be between 1 and 32") }
        if let maxSpeed, !(1.0...2.0).contains(maxSpeed) { throw fail("--max-speed must be between 1.0 and 2.0") }
        if let stems, stems.count != 2 || stems.contains(where: \.isEmpty) { throw fail("--stems takes VOCALS,BACKGROUND") }
        if let budgetUSD, !(budgetUSD.isFinite && budgetUSD >= 0) { throw fail("--budget must be a number of dollars, 0 or more") }
        if let layout, !Self.layouts.contains(layout) { throw fail("--layout must be \(Self.layouts.joined(separator: " or ")), not '\(layout)'") }
        if let centreSpread, !(0...0.5).contains(centreSpread) { throw fail("--centre-spread must be between 0 and 0.5") }
        if cloneVoices, (tts ?? Self.defaultTTS) != "elevenlabs" {
            throw fail("--clone-voices needs --tts elevenlabs (the engine that clones voices)")
        }
        if condense, subtitles == nil {
            throw fail("--condense shortens given target-language lines: give it with --subtitles (translated lines are re-translated shorter anyway)")
        }
        if condense, (translator ?? Self.defaultTranslator) == "papago" { throw fail("--condense needs --translator openai (Papago cannot keep to a length)") }
        if keepVoices, !cloneVoices { throw fail("--keep-voices keeps cloned voices: give it with --clone-voices") }
        if let stream, stream < 0 { throw fail("--stream must be a stream index, 0 or more (see 'dubctl probe')") }
        for (option, path) in [("input", input), ("-o", output)] + files.map({ ($0.option, $0.path) }) where path.isEmpty || path.contains("\0") {
            throw fail("\(option): an empty or invalid path")
        }
        let ext = output.split(separator: ".").last.map { $0.lowercased() } ?? ""
        guard output.contains("."), Self.outputExtensions.contains(ext) else {
            throw fail("-o must end in \(Self.outputExtensions.map { "." + $0 }.joined(separator: ", ")) (the container of the dubbed video)")
        }
        if let audioCodec {
            guard let codec = AudioTrackCodec(rawValue: audioCodec) else {
                throw fail("--audio-codec must be \(AudioTrackCodec.allCases.map(\.rawValue).joined(separator: ", ")), not '\(audioCodec)'")
            }
            if ext == "webm", codec != .aac { throw fail("--audio-codec \(audioCodec): a .webm output holds Opus audio only; write .mkv or .mp4") }
        }
    }

    /// The files the request reads, with the option that names each.
    public var files: [(option: String, path: String)] {
        var files: [(String, String)] = []
        if let subtitles { files.append(("--subtitles", subtitles)) }
        if let sourceSubtitles { files.append(("--source-subtitles", sourceSubtitles)) }
        if let voiceMap { files.append(("--voice-map", voiceMap)) }
        if let glossary { files.append(("--glossary", glossary)) }
        if let stems, stems.count == 2 { files += [("--stems (vocals)", stems[0]), ("--stems (background)", stems[1])] }
        return files
    }

    /// Checks that every input exists and is a readable regular file, that no output (the video, the sidecar
    /// subtitles) would overwrite an input (symbolic links resolved), that the glossary and voice map read, that the
    /// input has audio, and that subtitles parse and fit the media (limits of `DubLine.checked`).
    public func validateFiles() throws {
        try FileCheck.requireReadableFile(input)
        for (option, path) in files {
            do { try FileCheck.requireReadableFile(path) } catch let error as MediaError {
                throw DubRequestError(message: "\(option): \(error.description)")
            }
        }
        try OutputPaths.refuseOverwriting(inputs: [("input", input)] + files.map { ($0.option, $0.path) },
                                          outputs: plannedOutputs.map { ($0.label, $0.path) })
        // Read now, so a bad glossary or voice map fails before any work (and before anything is sent anywhere).
        if let glossary { _ = try Glossary.load(glossary) }
        if let voiceMap { _ = try DubPipeline.loadVoiceMap(voiceMap) }
        // The media must have audio, and subtitles must parse and fit it (the lines stage checks again).
        let media = try MediaInfo.probe(path: input)
        guard !media.audioStreams.isEmpty else { throw MediaError(.noAudioStream, "no audio stream to dub in", path: input) }
        if let stream, !media.audioStreams.contains(where: { $0.index == stream }) {
            throw DubRequestError(message: "--stream \(stream) is not an audio stream of '\(input)'; its audio streams are "
                                  + media.audioStreams.map { "\($0.index)" + ($0.language.map { " (\($0))" } ?? "") }.joined(separator: ", "))
        }
        if let path = subtitles ?? sourceSubtitles {
            let (cues, _) = try LinesStage.readCues(path)
            let lines = cues.enumerated().map { DubLine(id: $0, start: $1.start, end: $1.end, source: $1.text) }
            _ = try DubLine.checked(lines, mediaEnd: media.duration, origin: "subtitles '\(path)'")
        }
    }

    /// Every file a run writes outside its work folder: the video and its sidecar subtitles (`BASE.LANG.srt/.vtt`,
    /// and the source language's with `--bilingual`).
    public var plannedOutputs: [(label: String, path: String)] {
        var outputs = [("output", output)]
        let base = sidecarBase
        let tag = (try? Language(to))?.tag ?? to
        for format in SubtitleFormat.allCases { outputs.append(("subtitles", "\(base).\(tag).\(format.rawValue)")) }
        if bilingual {
            let sourceTag = from.flatMap { try? Language($0) }?.tag ?? "source"
            for format in SubtitleFormat.allCases { outputs.append(("source subtitles", "\(base).\(sourceTag).\(format.rawValue)")) }
        }
        return outputs
    }

    /// The output path without its extension and without a trailing target-language tag (`talk.es.mp4` → `talk`).
    public var sidecarBase: String {
        var base = output
        if let dot = base.lastIndex(of: "."), !base[dot...].contains("/") { base = String(base[..<dot]) }
        let tag = (try? Language(to))?.tag ?? to
        if base.hasSuffix(".\(tag)") { base = String(base.dropLast(tag.count + 1)) }
        return base
    }
}

/// A dubbing request that breaks a rule (the same for `dubctl dub`, `jobs submit` and a queued job).
public struct DubRequestError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
