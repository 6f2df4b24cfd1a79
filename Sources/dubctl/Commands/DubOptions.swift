import ArgumentParser
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

/// The options of a dub, shared by `dubctl dub` and `dubctl jobs submit`, so both take, default and refuse the same.
struct DubOptions: ParsableArguments {
    @Argument(help: "The video to dub.") var input: String
    @Option(help: "Target language: a tag (es, pt-BR, zh-TW), a three-letter code or an English name.") var to: String
    @Option(name: .shortAndLong, help: "The dubbed video (.mp4, .mkv, .mov, .webm).") var output: String
    @Option(help: "Source language (en, eng, english, ko-KR, ...); default: detected.") var from: String?
    @Option(help: "Target-language subtitles (.srt or .vtt) giving the lines and their times.") var subtitles: String?
    @Option(name: .customLong("source-subtitles"), help: "Source-language subtitles (.srt or .vtt) replacing recognition.") var sourceSubtitles: String?
    @Option(help: "Speech recognition: \(ProviderCatalog.providers(for: .transcription).joined(separator: ", ")).") var asr = DubRequest.defaultASR
    @Option(help: "Translation: \(ProviderCatalog.providers(for: .translation).joined(separator: ", ")).") var translator = DubRequest.defaultTranslator
    @Option(help: "Speech synthesizer: \(ProviderCatalog.providers(for: .speech).joined(separator: ", ")).") var tts = DubRequest.defaultTTS
    @Option(help: "One voice for every speaker (default: each speaker cast a voice of their own, see voices.json).") var voice: String?
    @Option(name: .customLong("voice-map"), help: "A JSON object of speaker to voice (speakers not in it use --voice).") var voiceMap: String?
    @Flag(name: .customLong("clone-voices"), help: """
        Clone each speaker's voice from their own speech (--tts elevenlabs). Only with the speakers' consent: see README, "Voices".
        """) var cloneVoices = false
    @Flag(help: "With --subtitles: shorten a given line that does not fit at a comfortable speed, with --translator (openai).")
    var condense = false
    @Flag(name: .customLong("keep-voices"), help: "Keep the cloned voices at the provider after the job (default: deleted).") var keepVoices = false
    @Option(help: "Glossary for translation (JSON object or 'term = translation' lines).") var glossary: String?
    @Option(help: "Number of speakers, when known (recognition and clustering by voice).") var speakers: Int?
    @Option(name: .customLong("max-line"), help: "Longest dubbing line, in seconds.") var maxLine = DubRequest.defaultMaxLine
    @Option(help: "Vocal separation: \(DubRequest.separations.joined(separator: ", ")).") var separation = DubRequest.defaultSeparation
    @Option(help: "Vocals and background made elsewhere, as VOCALS,BACKGROUND.") var stems: String?
    @Option(name: .customLong("max-speed"), help: "Most a line is sped up by time-stretching before other remedies.") var maxSpeed = DubRequest.defaultMaxSpeed
    @Flag(name: .customLong("keep-original-audio"), help: "Keep the original audio as a second track.") var keepOriginalAudio = false
    @Option(name: .customLong("subtitle-speed"),
            help: "Subtitles' highest reading speed in characters a second (17-21 is usual).") var subtitleSpeed = 20.0
    @Flag(help: "Add the source-language subtitles as a second soft track (and sidecar files).") var bilingual = false
    @Flag(help: "Transcribe every dubbed line back (--asr) and compare; a failing line is synthesized once more.") var verify = false
    @Option(help: "Stop before the estimated provider cost exceeds this many US dollars.") var budget: Double?
    @Option(help: "The input's audio stream to dub (its index in 'dubctl probe'; default: the one tagged with --from's language, else the best).")
    var stream: Int?
    @Option(help: "The dub's layout: source (a 5.1 or 7.1 source stays so, the dub in the centre channel) or stereo.")
    var layout = "source"
    @Flag(name: .customLong("stereo-track"), help: "Also a stereo down-mix of a surround dub, as a second track.") var stereoTrack = false
    @Option(name: .customLong("centre-spread"), help: "Share of a surround dub also sent to the front left and right (0-0.5).")
    var centreSpread = 0.0
    @Option(name: .customLong("audio-codec"), help: "The dub track's codec: aac, ac3 or eac3 (AC-3 and E-AC-3: up to 5.1; not in .webm).")
    var audioCodec = "aac"

    func validate() throws {
        do throws(DubRequestError) { _ = try request(absolutePaths: false).resolve() } catch { throw ValidationError(error.message) }
    }

    /// The request these options describe; `absolutePaths` for a job that other machines will run.
    func request(absolutePaths: Bool) -> DubRequest {
        func path(_ value: String) -> String { absolutePaths ? Paths.absolute(value) : value }
        var request = DubRequest(input: path(input), output: path(output), to: to)
        request.from = from
        request.subtitles = subtitles.map(path)
        request.sourceSubtitles = sourceSubtitles.map(path)
        request.asr = asr
        request.translator = translator
        request.tts = tts
        request.voice = voice
        request.voiceMap = voiceMap.map(path)
        request.glossary = glossary.map(path)
        request.speakers = speakers
        request.maxLine = maxLine
        request.separation = separation
        request.stems = stems.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { path(String($0)) } }
        request.maxSpeed = maxSpeed
        request.keepOriginalAudio = keepOriginalAudio
        request.bilingual = bilingual
        request.subtitleSpeed = subtitleSpeed
        request.verify = verify
        request.budgetUSD = budget
        request.stream = stream
        request.layout = layout
        request.stereoTrack = stereoTrack
        request.centreSpread = centreSpread
        request.audioCodec = audioCodec
        request.cloneVoices = cloneVoices
        request.keepVoices = keepVoices
        request.condense = condense
        return request
    }
}
