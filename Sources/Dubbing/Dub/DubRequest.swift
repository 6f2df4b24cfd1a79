import DubSupport
import ProviderAPI
/// Everything that defines one dubbing job: what `dubctl dub` takes on the command line and what a
/// queued job carries as its payload.
public struct DubRequest: Codable, Sendable, Equatable {
    /// The video (or audio) to dub.
    public var input: String
    /// Where to write the dubbed file.
    public var output: String
    /// Target language: a BCP-47 tag, a three-letter code or an English name (`Language`).
    public var to: String
    /// Source language; nil lets the recogniser detect it.
    public var from: String?
    /// Speech recogniser: openai, elevenlabs or clova.
    public var asr: String?
    /// Translator: openai or papago.
    public var translator: String?
    /// Speech synthesizer: openai, elevenlabs, clova or espeak.
    public var tts: String?
    /// One voice for every speaker.
    public var voice: String?
    /// A JSON file mapping speakers to voices.
    public var voiceMap: String?
    /// Target-language subtitles that replace recognition and translation.
    public var subtitles: String?
    /// Source-language subtitles that replace recognition.
    public var sourceSubtitles: String?
    /// Vocal separation: elevenlabs, local or none.
    public var separation: String?
    /// Stems made elsewhere: vocals and background files.
    public var stems: [String]?
    /// The work folder (artifacts, manifest); derived from the input when nil.
    public var work: String?
    /// The most a line may be sped up before other remedies.
    public var maxSpeed: Double?
    /// A glossary file for translation.
    public var glossary: String?
    /// The number of speakers, when known (helps diarization).
    public var speakers: Int?
    /// The longest a dubbing line may last, in seconds (default 8).
    public var maxLine: Double?
    /// The subtitles' highest reading speed, in characters a second (default 20; 17 for children).
    public var subtitleSpeed: Double?
    public var keepOriginalAudio: Bool
    public var bilingual: Bool
    public var verify: Bool
    /// Stop before estimated spending exceeds this many US dollars.
    public var budgetUSD: Double?
    /// The input's audio stream to dub (its index, as `dubctl probe` lists it); default: the one in the source
    /// language (`from`) when the streams are tagged, else the best.
    public var stream: Int?
    /// The dub track's layout: `source` (default: a 5.1 or 7.1 source keeps it, the dub in the centre channel) or
    /// `stereo`.
    public var layout: String?
    /// Also a stereo down-mix of the dub as a second track (for a surround dub).
    public var stereoTrack: Bool = false
    /// Clone each speaker's voice from their own speech (ElevenLabs; the operator confirms they may), and keep the
    /// clones after the job.
    public var cloneVoices: Bool = false
    public var keepVoices: Bool = false
    /// With `subtitles`: shorten a given line that does not fit at a comfortable speed, with the translator (its text
    /// rewritten in its own language under a tighter budget).
    public var condense: Bool = false
    /// How much of the dub also goes to the front left and right in a surround dub (0–0.5; default 0: centre only).
    public var centreSpread: Double?
    /// The dub track's codec: `aac` (default), `ac3` or `eac3` (MP4, MOV, Matroska; WebM holds Opus).
    public var audioCodec: String?
    /// The directory the request's relative paths are relative to (where `dubctl dub` ran), so `dubctl lines redo`
    /// and `dubctl stage` find the files from anywhere.
    public var directory: String?
    /// Lines to speak afresh in an earlier run's work folder (`dubctl lines redo`, `dubctl jobs redo`).
    public var redo: LineRedo?

    /// Which lines to speak afresh, and the token that makes the new take's cache key (one token per redo, so a
    /// retried job does not speak them a third time).
    public struct LineRedo: Codable, Sendable, Equatable {
        public var lines: [Int]
        public var token: String
        public init(lines: [Int], token: String) {
            self.lines = lines
            self.token = token
        }
    }

    enum CodingKeys: String, CodingKey {
        case input, output, to, from, asr, translator, tts, voice
        case voiceMap = "voice_map"
        case subtitles
        case sourceSubtitles = "source_subtitles"
        case separation, stems, work
        case maxSpeed = "max_speed"
        case glossary, speakers
        case maxLine = "max_line"
        case subtitleSpeed = "subtitle_speed"
        case keepOriginalAudio = "keep_original_audio"
        case bilingual, verify
        case budgetUSD = "budget_usd"
        case stream, layout
        case stereoTrack = "stereo_track"
        case centreSpread = "centre_spread"
        case audioCodec = "audio_codec"
        case cloneVoices = "clone_voices"
        case keepVoices = "keep_voices"
        case condense, redo, directory
    }

    public init(input: String, output: String, to: String) {
        self.input = input
        self.output = output
        self.to = to
        keepOriginalAudio = false
        bilingual = false
        verify = false
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decode(String.self, forKey: .input)
        output = try c.decode(String.self, forKey: .output)
        to = try c.decode(String.self, forKey: .to)
        from = try c.decodeIfPresent(String.self, forKey: .from)
        asr = try c.decodeIfPresent(String.self, forKey: .asr)
        translator = try c.decodeIfPresent(String.self, forKey: .translator)
        tts = try c.decodeIfPresent(String.self, forKey: .tts)
        voice = try c.decodeIfPresent(String.self, forKey: .voice)
        voiceMap = try c.decodeIfPresent(String.self, forKey: .voiceMap)
        subtitles = try c.decodeIfPresent(String.self, forKey: .subtitles)
        sourceSubtitles = try c.decodeIfPresent(String.self, forKey: .sourceSubtitles)
        separation = try c.decodeIfPresent(String.self, forKey: .separation)
        stems = try c.decodeIfPresent([String].self, forKey: .stems)
        work = try c.decodeIfPresent(String.self, forKey: .work)
        maxSpeed = try c.decodeIfPresent(Double.self, forKey: .maxSpeed)
        glossary = try c.decodeIfPresent(String.self, forKey: .glossary)
        speakers = try c.decodeIfPresent(Int.self, forKey: .speakers)
        maxLine = try c.decodeIfPresent(Double.self, forKey: .maxLine)
        subtitleSpeed = try c.decodeIfPresent(Double.self, forKey: .subtitleSpeed)
        keepOriginalAudio = try c.decodeIfPresent(Bool.self, forKey: .keepOriginalAudio) ?? false
        bilingual = try c.decodeIfPresent(Bool.self, forKey: .bilingual) ?? false
        verify = try c.decodeIfPresent(Bool.self, forKey: .verify) ?? false
        budgetUSD = try c.decodeIfPresent(Double.self, forKey: .budgetUSD)
        stream = try c.decodeIfPresent(Int.self, forKey: .stream)
        layout = try c.decodeIfPresent(String.self, forKey: .layout)
        stereoTrack = try c.decodeIfPresent(Bool.self, forKey: .stereoTrack) ?? false
        cloneVoices = try c.decodeIfPresent(Bool.self, forKey: .cloneVoices) ?? false
        keepVoices = try c.decodeIfPresent(Bool.self, forKey: .keepVoices) ?? false
        condense = try c.decodeIfPresent(Bool.self, forKey: .condense) ?? false
        centreSpread = try c.decodeIfPresent(Double.self, forKey: .centreSpread)
        audioCodec = try c.decodeIfPresent(String.self, forKey: .audioCodec)
        redo = try c.decodeIfPresent(LineRedo.self, forKey: .redo)
        directory = try c.decodeIfPresent(String.self, forKey: .directory)
    }
}
