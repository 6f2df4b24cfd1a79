import AudioKitCore
import DubSupport
import ProviderAPI

/// Reviews and edits the lines of a finished dub's work folder (`dubctl lines`): lists them with their flags, shows
/// one, edits one (text and voice in `lines.json`; speaker and times in `segments.json` and `lines.json` alike, so
/// the next run keeps the edit), marks lines to be spoken afresh, and exports a line's audio. The next run of the
/// pipeline on the folder (`lines redo`, which re-runs the saved request) redoes only what changed; every other line
/// comes from the cache.
public struct LineEditor: Sendable {
    public let work: WorkFolder
    public let request: DubRequest
    public private(set) var lines: [DubLine]

    static let segmentsFile = LinesStage.segmentsFile
    /// The final report of the last run (its verification results), written by `DubPipeline`.
    public static let reportFile = "report.json"

    /// Opens the work folder of a finished dub.
    public init(work path: String) throws {
        guard let work = WorkFolder.existing(path) else {
            throw MediaError(.invalidArgument, "not a dub work folder", path: path, hint: "give the --work folder of an earlier 'dubctl dub'")
        }
        guard let request = try work.readJSON(DubRequest.self, from: DubPipeline.requestFile),
              let lines = try work.readJSON([DubLine].self, from: TimelineFitter.linesFile) else {
            throw MediaError(.invalidArgument, "the dub in this work folder has not reached its lines yet", path: path,
                             hint: "finish the dub first")
        }
        self.work = work
        self.request = request
        self.lines = lines
    }

    /// Every line as the review report shows it (timing, voice, round-trip check and flags), in time order.
    public func entries() throws -> [ReviewReport.Line] {
        let timings = try work.readJSON([LineTiming].self, from: TimelineFitter.timingFile) ?? []
        let report = try? work.readJSON(DubReport.self, from: Self.reportFile)
        // The voice a line was spoken with, as `LineVoice.voice(for:)` chooses it: the line's own, its speaker's in the
        // cast (which holds --voice-map's choices too), or the request's single voice.
        let cast = (try? work.readJSON(VoiceCast.self, from: VoiceCast.file))?.voices ?? [:]
        let plan = try? request.resolve()
        return ReviewReport.lines(lines, timings: timings, checks: report?.verification, maxSpeed: plan?.maxSpeed ?? DubRequest.defaultMaxSpeed) { line in
            line.voice ?? cast[line.speaker ?? ""] ?? plan?.voice
        }
    }

    /// The line with `id`, or an error naming the ids there are.
    public func line(_ id: Int) throws -> DubLine {
        guard let line = lines.first(where: { $0.id == id }) else {
            throw MediaError(.invalidArgument, "no line \(id) in this dub", path: work.root,
                             hint: "its lines are \(lines.first?.id ?? 0)...\(lines.last?.id ?? 0) ('dubctl lines list \(work.root)')")
        }
        return line
    }

    /// What to change in a line; nil leaves a field as it is.
    public struct Edit: Sendable, Equatable {
        public var text: String?
        public var voice: String?
        public var speaker: String?
        public var start: Double?
        public var end: Double?
        public init(text: String? = nil, voice: String? = nil, speaker: String? = nil, start: Double? = nil, end: Double? = nil) {
            self.text = text
            self.voice = voice
            self.speaker = speaker
            self.start = start
            self.end = end
        }
    }

    /// Edits line `id` after checking the edit (text within the line limit, a voice and speaker name that are
    /// names, times that keep the line between its neighbours; the next run checks them against the media's length
    /// as it checks every line); returns the edited line.
    @discardableResult
    public mutating func set(_ id: Int, _ edit: Edit) throws -> DubLine {
        var line = try line(id)
        func refuse(_ message: String) -> MediaError { MediaError(.invalidArgument, "line \(id): \(message)", path: work.root) }
        if let text = edit.text {
            let trimmed = text.trimmed
            guard !trimmed.isEmpty else { throw refuse("the text is empty") }
            guard trimmed.count <= DubLine.maxCharacters else { throw refuse("the text is longer than \(DubLine.maxCharacters) characters") }
            line.text = trimmed
        }
        for (name, value) in [("voice", edit.voice), ("speaker", edit.speaker)] {
            guard let value else { continue }
            guard !value.trimmed.isEmpty, value.count <= 100, !value.contains(where: { $0.isNewline || $0 == "\t" }) else {
                throw refuse("a \(name) is a name of 1 to 100 characters on one line")
            }
        }
        if let voice = edit.voice { line.voice = voice.trimmed }
        if let speaker = edit.speaker { line.speaker = speaker.trimmed }
        let start = edit.start ?? line.start, end = edit.end ?? line.end
        if edit.start != nil || edit.end != nil {
            guard start >= 0, end > start + 0.1 else { throw refuse("the start must be at least 0 and the end more than 0.1 s after it") }
            guard end - start <= DubLine.maxSeconds else { throw refuse("a line lasts at most \(Int(DubLine.maxSeconds)) s") }
            let index = lines.firstIndex { $0.id == id }!
            if index > 0, start < lines[index - 1].end { throw refuse("it would start before line \(lines[index - 1].id) ends (\(lines[index - 1].end.fixed(3)) s)") }
            if index + 1 < lines.count, end > lines[index + 1].start {
                throw refuse("it would end after line \(lines[index + 1].id) starts (\(lines[index + 1].start.fixed(3)) s)")
            }
            line.start = start
            line.end = end
        }
        // The cut (segments.json) holds times and speakers: edit it alike, so the next run keeps this line's text.
        if edit.speaker != nil || edit.start != nil || edit.end != nil, var segments = try work.readJSON([DubLine].self, from: Self.segmentsFile),
           let at = segments.firstIndex(where: { $0.id == id }) {
            segments[at].speaker = line.speaker
            segments[at].start = line.start
            segments[at].end = line.end
            try work.writeJSON(segments, to: Self.segmentsFile)
        }
        lines[lines.firstIndex { $0.id == id }!] = line
        try work.writeJSON(lines, to: TimelineFitter.linesFile)
        return line
    }

    /// Marks lines to be spoken afresh with `token` (in their synthesis cache key).
    public mutating func markRedo(_ ids: [Int], token: String) throws {
        for id in ids { _ = try line(id) }
        for i in lines.indices where ids.contains(lines[i].id) { lines[i].redo = token }
        try work.writeJSON(lines, to: TimelineFitter.linesFile)
    }

    /// Writes line `id`'s audio as it went into the mix (speed-fitted) to `output` (WAV or FLAC, by its extension).
    public func export(_ id: Int, to output: String) throws {
        _ = try line(id)
        let timings = try work.readJSON([LineTiming].self, from: TimelineFitter.timingFile) ?? []
        guard let audio = timings.first(where: { $0.id == id })?.audio else {
            throw MediaError(.invalidArgument, "line \(id) has no audio (it was left out, or the dub has not been fitted)", path: work.root)
        }
        let source = work.path(audio)
        let reader = try AudioReader(path: source)
        let format = try SoundFileFormat(path: output, encoding: output.lowercased().hasSuffix(".wav") ? .float32 : .int24)
        try OutputPaths.refuseOverwriting(inputs: [("line audio", source)], outputs: [("output", output)])
        try AtomicFile.write(to: output) { temp in
            let writer = try SoundFileWriter(path: temp, format: format, sampleRate: reader.sampleRate, channels: reader.channels)
            while let chunk = try reader.next() { try writer.write(chunk) }
            try writer.close()
        }
    }
}
