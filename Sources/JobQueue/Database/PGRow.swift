import DubSupport
/// One result row, its values in PostgreSQL's text format.
public struct PGRow: Sendable {
    /// Column names, shared by all rows of a result.
    public let columns: [String]
    /// Values by column position; nil for SQL NULL.
    public let values: [String?]

    /// The text of column `name`, nil when NULL or absent.
    public subscript(_ name: String) -> String? {
        guard let i = columns.firstIndex(of: name) else { return nil }
        return values[i]
    }

    /// Column `name` as an integer.
    public func int(_ name: String) throws -> Int {
        guard let text = self[name], let value = Int(text) else { throw missing(name, "an integer") }
        return value
    }

    /// Column `name` as a floating-point number (NULL gives nil).
    public func double(_ name: String) throws -> Double? {
        guard let text = self[name] else { return nil }
        guard let value = Double(text) else { throw missing(name, "a number") }
        return value
    }

    /// Column `name` as text (NULL gives nil).
    public func string(_ name: String) -> String? { self[name] }

    /// Column `name` as a boolean.
    public func bool(_ name: String) throws -> Bool {
        switch self[name] {
        case "t": return true
        case "f": return false
        default: throw missing(name, "a boolean")
        }
    }

    private func missing(_ name: String, _ what: String) -> DatabaseError {
        DatabaseError(.decoding, "column '\(name)' is not \(what) (\(self[name] ?? "NULL"))")
    }
}
