/// What one queue's jobs carry, as Swift types. The queue stores each as JSON (`jsonb`) and hands it back decoded,
/// so a worker, an operator command and a webhook all read the same typed record.
///
/// ```swift
/// enum Thumbnail: JobKind {
///     struct Payload: Codable, Sendable { var video: String }
///     struct Checkpoint: Codable, Sendable { var frame: Int }
///     struct Result: Codable, Sendable { var path: String }
///     typealias Usage = [String: Double]
/// }
/// let queue = JobQueue<Thumbnail>(database: database)
/// ```
/// A job's kind is not stored: give each kind queue names of its own (a worker fails, as `badRecord`, a job whose
/// payload is not its kind's).
public protocol JobKind: Sendable {
    /// The job's input, given at submission.
    associatedtype Payload: Codable & Sendable
    /// Where a running job got to, saved so a retry on any worker resumes there.
    associatedtype Checkpoint: Codable & Sendable
    /// What a successful job produced.
    associatedtype Result: Codable & Sendable
    /// What the job used (provider time, tokens, characters), kept for metering.
    associatedtype Usage: Codable & Sendable
}

/// A stored field that this program cannot read as its type (written by another version, or by hand).
public struct JobRecordError: Error, CustomStringConvertible, Sendable {
    /// The job, and which of its fields.
    public var job: Int
    public var field: String
    /// Why it could not be read.
    public var reason: String

    public var description: String {
        "job \(job)'s \(field) cannot be read by this version of dub (\(reason)); read it with the version that wrote it"
    }
}

extension JobRecordError: ClassifiedError {
    public var errorCode: String { "badRecord" }
    public var isPermanent: Bool { true }
}

import DubSupport
