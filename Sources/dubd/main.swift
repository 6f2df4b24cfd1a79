import ArgumentParser
import AudioKitCore
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
#if canImport(Glibc)
import Glibc
#endif

/// Calls the async `run()` of the command through a generic (see dubctl's main).
func runAsync<Command: AsyncParsableCommand>(_ command: Command) async throws {
    var command = command
    try await command.run()
}

MediaLibraries.setLibraryLogging(.quiet)
MemoryRelease.configure()
do {
    var command = try DubdCommand.parseAsRoot()
    if let asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(asyncCommand)
    } else {
        try command.run() // `--help` comes back as ArgumentParser's own help command
    }
} catch {
    let code = DubdCommand.exitCode(for: error)
    if code == .success {
        print(DubdCommand.fullMessage(for: error))
        exit(0)
    }
    let message = code == .validationFailure ? DubdCommand.fullMessage(for: error) : "dubd: error: \(ErrorReport.line(for: error))"
    _ = (message + "\n").withCString { write(2, $0, strlen($0)) }
    exit(code == .validationFailure ? 2 : 1)
}
