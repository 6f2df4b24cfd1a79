import ArgumentParser
import AudioKitCore
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Logging
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

// Everything dub creates is private to its user unless asked otherwise (DUB_OUTPUT_MODE for finished outputs).
umask(0o077)
MemoryRelease.configure()
InterruptCleanup.install()
MediaLibraries.setLibraryLogging(ProcessInfo.processInfo.environment["DUB_FFMPEG_LOG"] == "1" ? .errors : .quiet)
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = ProcessInfo.processInfo.environment["DUB_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    return handler
}

/// Calls the async `run()` of a subcommand through a generic, so the async requirement is chosen
/// over ParsableCommand's synchronous default (which only prints help).
func runAsync<Command: AsyncParsableCommand>(_ command: Command) async throws {
    var command = command
    try await command.run()
}

do {
    var command = try Dubctl.parseAsRoot()
    if let asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(asyncCommand)
    } else {
        try command.run()
    }
} catch {
    exit(CommandLineReport.exitCode(for: error, command: Dubctl.self))
}
