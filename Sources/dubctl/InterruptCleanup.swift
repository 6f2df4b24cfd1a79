import DubSupport
import AudioKitCore
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) or SIGTERM: removes the temporary files of every write still under way, says so, and exits
/// with 128 + the signal's number. Finished files and a dub's work folder are complete (every write is atomic), so
/// `dubctl dub` run again resumes where it stopped.
enum InterruptCleanup {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                AtomicFile.discardAll()
                CommandLineReport.printError("dubctl: interrupted (\(sig == SIGINT ? "SIGINT" : "SIGTERM")); unfinished files removed")
                _exit(128 + sig)
            }
            source.resume()
            sources.append(source)
        }
    }
}
