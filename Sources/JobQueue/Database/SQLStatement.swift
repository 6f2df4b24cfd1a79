/// One statement and its text parameters, for `Database.query(_:)` and `Database.pipeline`.
public struct SQLStatement: Sendable {
    public var sql: String
    public var params: [String?]
    /// What the statement is for, in its errors.
    public var context: String?

    public init(_ sql: String, _ params: [String?], context: String? = nil) {
        self.sql = sql
        self.params = params
        self.context = context
    }
}
