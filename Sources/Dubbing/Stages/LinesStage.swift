import DubSupport
import ProviderAPI
import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// lines: the dubbing lines, from target-language subtitles (no recognition, no translation), source-language
/// subtitles (no recognition), or the recognised transcript cut by `LineSegmenter`. The cut is the stage's artifact,
/// `segments.json` (hand edits to its times are kept on re-runs). The texts a previous run spoke, in `lines.json`
/// (written only by `TimelineFitter`, and the file to edit a line's words in), are carried onto the lines whose cut is
/// unchanged since that run, so a re-run redoes only the lines whose text was edited; a line re-cut (new times, new
/// subtitle text, a new transcript) starts from its new cut.
struct LinesStage: DubStage {
    static let stage = StageName.lines
    /// The lines as cut, before translation.
    static let segmentsFile = "segments.json"

    enum Source: Sendable {
        /// Subtitles in the target language: the lines are already translated.
        case targetSubtitles(String)
        /// Subtitles in the source language.
        case sourceSubtitles(String)
        /// The transcript, cut into lines.
        case transcript(LineSegmenter.Settings)
    }

    let source: Source
    /// How many speakers there are, when known (`--speakers`).
    let speakers: Int?

    init(plan: DubPlan) {
        speakers = plan.speakers
        switch plan.lines {
        case .targetSubtitles(let path): source = .targetSubtitles(path)
        case .sourceSubtitles(let path): source = .sourceSubtitles(path)
        case .recognition(_, let maxLine):
            var settings = LineSegmenter.Settings()
            settings.maxLine = maxLine
            source = .transcript(settings)
        }
    }

    struct Input: Sendable {
        let transcript: Transcript?
        /// The media's duration (the last line's gap runs to it).
        let duration: Double
        /// The audio to tell speakers apart by: the vocals stem, or the original audio when there is none.
        let voices: String
    }

    func run(_ input: Input, in context: StageContext) async throws -> [DubLine] {
        let duration = input.duration
        // The cut the spoken texts in lines.json were made from, before this run may replace it.
        let previousCut = try? context.work.readJSON([DubLine].self, from: Self.segmentsFile)
        let lines: [DubLine]
        let origin: String
        switch source {
        case .targetSubtitles(let path), .sourceSubtitles(let path):
            let translated = if case .targetSubtitles = source { true } else { false }
            origin = "subtitles '\(path)'"
            let key = try CacheKey([translated ? "lines-subtitles-3" : "lines-source-subtitles-3", try CacheKey.fingerprint(ofFile: path).hex,
                                    "\(duration)", try speakerKey(input)])
            lines = try await context.runner.run(Self.name, key: key, artifacts: [Self.segmentsFile]) { _ in
                let (cues, note) = try Self.readCues(path)
                if let note { await context.warn("subtitles '\(path)': \(note)") }
                return try await withSpeakers(cues.enumerated().map { i, cue in
                    let next = i + 1 < cues.count ? cues[i + 1].start : max(duration, cue.end)
                    let text = cue.text.replacingNewlines()
                    return DubLine(id: i, start: cue.start, end: cue.end, speaker: cue.speaker, source: translated ? "" : text,
                                   text: translated ? text : nil, gapAfter: max(0, next - cue.end))
                }, voices: input.voices, mediaEnd: duration, origin: "subtitles '\(path)'", in: context)
            }
        case .transcript(let settings):
            guard let transcript = input.transcript else {
                throw MediaError(.invalidArgument, "no lines: give --subtitles, --source-subtitles or a speech recognition provider (--asr)")
            }
            origin = "the transcript"
            let segmenter = LineSegmenter(settings: settings)
            let key = try CacheKey(["lines-asr-2", try CacheKey(transcript).hex, "\(settings.maxLine)", try speakerKey(input)])
            lines = try await context.runner.run(Self.name, key: key, artifacts: [Self.segmentsFile]) { _ in
                try await withSpeakers(segmenter.lines(from: transcript, mediaEnd: duration), voices: input.voices, mediaEnd: duration,
                                       origin: "the transcript", in: context)
            }
        }
        // Checked on every run, so hand edits (times in segments.json, texts in lines.json) are held to the same limits.
        let mediaEnd = duration > 0 ? duration : nil
        let checked = try DubLine.checked(lines, mediaEnd: mediaEnd, origin: origin)
        for warning in checked.warnings { await context.warn(warning) }
        let spoken = Self.carryingTexts(from: try context.work.readJSON([DubLine].self, from: TimelineFitter.linesFile),
                                        previousCut: previousCut, cut: lines, onto: checked.lines)
        return try DubLine.checked(spoken, mediaEnd: mediaEnd, origin: "'\(context.work.path(TimelineFitter.linesFile))'").lines
    }

    /// What the speakers found depend on: the voices' audio and the speaker count.
    private func speakerKey(_ input: Input) throws -> String {
        try CacheKey(["speakers-1", try CacheKey.fingerprint(ofFile: input.voices).hex, "\(speakers ?? 0)"]).hex
    }

    /// The lines with a speaker each: when none came with one (Whisper, subtitles), they are clustered by voice
    /// (`SpeakerClusterer`, `--speakers` fixing the count); when the recogniser or the subtitles named speakers, those
    /// are kept, and the clustering cross-checks them (a warning when they disagree on more than a quarter of the
    /// speech); a line among them without a name gets the name most of its voice's lines have. The lines are checked
    /// against the limits first, so nothing unbounded reaches the clustering.
    func withSpeakers(_ lines: [DubLine], voices: String, mediaEnd: Double, origin: String, in context: StageContext) async throws -> [DubLine] {
        guard !lines.isEmpty else { return lines }
        _ = try DubLine.checked(lines, mediaEnd: mediaEnd > 0 ? mediaEnd : nil, origin: origin)
        let named = Set(lines.compactMap(\.speaker))
        let labels = SpeakerClusterer(count: speakers).labels(for: try await LinePrints.measure(voices, lines: lines, runner: context.runner))
        guard !named.isEmpty else {
            var result = lines
            for i in result.indices { result[i].speaker = labels[i] }
            return result
        }
        let given = lines.map { DiarizationScore.Turn(start: $0.start, end: $0.end, speaker: $0.speaker ?? "-") }
        let heard = zip(lines, labels).map { DiarizationScore.Turn(start: $0.0.start, end: $0.0.end, speaker: $0.1) }
        let disagreement = DiarizationScore.errorRate(reference: given, hypothesis: heard)
        if disagreement > 0.25 {
            await context.warn("the speakers named by the \(namer) and the voices heard disagree on \(Int((disagreement * 100).rounded())) % of the speech; check the speakers in \(Self.segmentsFile)")
        }
        guard lines.contains(where: { $0.speaker == nil }) else { return lines }
        // Each voice heard takes the name most of its named lines have.
        var votes: [String: [String: Double]] = [:]
        for (line, label) in zip(lines, labels) { if let name = line.speaker { votes[label, default: [:]][name, default: 0] += line.duration } }
        var result = lines
        for i in result.indices where result[i].speaker == nil {
            result[i].speaker = votes[labels[i]]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? labels[i]
        }
        return result
    }

    /// Where the lines' speaker names came from.
    private var namer: String {
        if case .transcript = source { return "recogniser" }
        return "subtitles"
    }

    /// `lines` (the checked cut) with the text each had in `spoken` (the last run's `lines.json`), where the line's cut
    /// is what it was when that run made it (`previousCut`, the `segments.json` it read, equals this run's `cut`) and its
    /// slot and source are those the fitter wrote. Anything re-cut since keeps its new text (or none, to be translated).
    static func carryingTexts(from spoken: [DubLine]?, previousCut: [DubLine]?, cut: [DubLine], onto lines: [DubLine]) -> [DubLine] {
        guard let spoken, let previousCut else { return lines }
        let said = Dictionary(spoken.map { ($0.id, $0) }) { first, _ in first }
        let before = Dictionary(previousCut.map { ($0.id, $0) }) { first, _ in first }
        let now = Dictionary(cut.map { ($0.id, $0) }) { first, _ in first }
        return lines.map { line in
            guard let previous = said[line.id], let text = previous.text, let raw = now[line.id], before[line.id] == raw,
                  previous.source == line.source, abs(previous.start - line.start) < 0.0005, abs(previous.end - line.end) < 0.0005
            else { return line }
            var carried = line
            carried.text = text
            carried.delivery = previous.delivery
            carried.voice = previous.voice
            carried.redo = previous.redo
            return carried
        }
    }

    /// The cues of a subtitle file (at most `InputFile.subtitleLimit` bytes, any text encoding), and a note when it
    /// was not UTF-8.
    static func readCues(_ path: String) throws -> (cues: [SubtitleCue], note: String?) {
        guard let format = SubtitleFormat(path: path) else {
            throw MediaError(.invalidArgument, "subtitles must be .srt or .vtt", path: path)
        }
        let (text, note) = try InputFile.text(path, what: "subtitles", limit: InputFile.subtitleLimit)
        return (try format.parse(text, path: path), note)
    }
}

extension String {
    func replacingNewlines() -> String { split(separator: "\n").joined(separator: " ") }
}
