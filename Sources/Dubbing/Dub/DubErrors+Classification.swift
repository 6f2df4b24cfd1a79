import DubSupport

// How the job layer treats the dubbing pipeline's own errors: bad input is permanent, a work folder the machine
// could not write is retried.

extension SubtitleError: ClassifiedError {
    public var errorCode: String { "malformedSubtitles" }
    public var isPermanent: Bool { true }
}

extension GlossaryError: ClassifiedError {
    public var errorCode: String { "malformedGlossary" }
    public var isPermanent: Bool { true }
}

extension TranscriptError: ClassifiedError {
    public var errorCode: String { "malformedTranscript" }
    public var isPermanent: Bool { true }
}

extension BudgetError: ClassifiedError {
    public var errorCode: String { "overBudget" }
    public var isPermanent: Bool { true }
}

extension DubRequestError: ClassifiedError {
    public var errorCode: String { "invalidRequest" }
    public var isPermanent: Bool { true }
}

extension LineError: ClassifiedError {
    public var errorCode: String { "invalidLines" }
    public var isPermanent: Bool { true }
}

extension WorkFolderError: ClassifiedError {
    public var errorCode: String { "workFolder" }
    public var isPermanent: Bool { false }
}
