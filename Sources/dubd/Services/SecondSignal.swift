import Logging
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// A second SIGTERM or SIGINT during a graceful shutdown exits at once; the leases of jobs still
/// running expire and other daemons take them over. Runs beside the service group (not in it), so it
/// never holds up the group's own shutdown.
enum SecondSignal {
    static func watch(logger: Logger) -> Task<Void, Never> {
        Task {
            var seen = 0
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                seen += 1
                if seen >= 2 {
                    logger.warning("second \(signal) signal: exiting now; unfinished jobs will be retried elsewhere")
                    exit(1)
                }
            }
        }
    }
}
