import ArgumentParser
import AudioKitCore
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Pipeline

MediaLibraries.setLibraryLogging(ProcessInfo.processInfo.environment["DUB_FFMPEG_LOG"] == "1" ? .errors : .quiet)
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = ProcessInfo.processInfo.environment["DUB_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    return handler
}

do {
    var command = try Dubctl.parseAsRoot()
    try command.run()
} catch {
    exit(CommandLineReport.exitCode(for: error, command: Dubctl.self))
}
