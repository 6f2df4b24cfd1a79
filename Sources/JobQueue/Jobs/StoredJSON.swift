import DubSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A job's `jsonb` fields as the queue writes and reads them, with dub's JSON settings.
enum StoredJSON {
    /// `value` as the JSON text a `jsonb` parameter takes.
    static func text(_ value: some Encodable) throws -> String {
        try DubJSON.string(value)
    }

    /// A stored field of job `job` as `type`; nil stays nil.
    static func read<T: Decodable>(_ type: T.Type, _ text: String?, job: Int, field: String) throws(JobRecordError) -> T? {
        guard let text else { return nil }
        do {
            return try DubJSON.decode(T.self, from: Data(text.utf8))
        } catch {
            throw JobRecordError(job: job, field: field, reason: "\(error)")
        }
    }

    /// A required stored field of job `job` as `type`.
    static func require<T: Decodable>(_ type: T.Type, _ text: String?, job: Int, field: String) throws(JobRecordError) -> T {
        guard let value = try read(type, text, job: job, field: field) else {
            throw JobRecordError(job: job, field: field, reason: "it is missing")
        }
        return value
    }
}
