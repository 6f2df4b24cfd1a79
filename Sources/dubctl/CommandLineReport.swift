import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

/// Prints errors the way every dubctl command does and picks the exit code:
/// 0 success (and help), 1 runtime failure, 2 usage error.
enum CommandLineReport {
    static func exitCode(for error: any Error, command: any ParsableCommand.Type) -> Int32 {
        let code = command.exitCode(for: error)
        if code == .success {
            print(command.fullMessage(for: error))
            return 0
        }
        if code == .validationFailure {
            printError(command.fullMessage(for: error))
            return 2
        }
        if error is ExitCode { return code.rawValue }
        printError("dubctl: error: \(ErrorReport.line(for: error))")
        return 1
    }

    static func printError(_ text: String) {
        let line = text + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    static func warn(_ text: String) {
        printError("dubctl: warning: \(text)")
    }
}
