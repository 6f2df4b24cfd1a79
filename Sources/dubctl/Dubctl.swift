import DubSupport
import ArgumentParser

/// The operator's command line for dub.
struct Dubctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dubctl",
        abstract: "Dub videos into other languages, and inspect, extract and remux media.",
        discussion: """
        Exit codes: 0 success, 1 runtime failure (bad media, unreadable file), 2 usage error.
        Environment: DUB_DATABASE_URL (jobs, db), DUB_LOG_LEVEL (trace|debug|info|warning|error), DUB_FFMPEG_LOG=1 shows FFmpeg's own messages.
        """,
        version: "0.1.0",
        subcommands: [DubCommand.self, StageCommand.self, TranscribeCommand.self, TranslateCommand.self, ProvidersCommand.self, ProbeCommand.self, ExtractCommand.self, MuxCommand.self, LoudnessCommand.self, StretchCommand.self, MixCommand.self, VadCommand.self, SeparateCommand.self, JobsCommand.self, DatabaseCommand.self, SynthesizeCommand.self, VoicesCommand.self, SpeakersCommand.self, LinesCommand.self]
    )
}
