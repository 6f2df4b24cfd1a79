import Testing

extension Tag {
    /// Talks to the real PostgreSQL the test tooling starts.
    @Tag public static var database: Self
    /// Runs the `dubctl` or `dubd` binaries as a user would.
    @Tag public static var endToEnd: Self
    /// Checks against a reference we did not write: the ffmpeg or sox command line, or the corpus of real files.
    @Tag public static var reference: Self
}
