import Pipeline

/// One-line error texts for dubd.
enum DubdReport {
    static func line(for error: any Error) -> String { ErrorReport.line(for: error) }
}
