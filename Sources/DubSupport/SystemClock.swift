#if canImport(Glibc)
import Glibc
#endif

/// The wall clock, in seconds since 1970 (for durations shown to people and records; `Deadline` is the monotonic one).
public enum SystemClock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
