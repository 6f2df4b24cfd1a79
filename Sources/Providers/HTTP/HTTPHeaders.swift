import DubSupport
import ProviderAPI
/// Response or request headers with case-insensitive lookup; later values of a repeated name win on lookup.
public struct HTTPHeaders: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The headers in the order they came.
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    /// Headers from a dictionary (order by name).
    public init(_ values: [String: String]) {
        for (name, value) in values.sorted(by: { $0.key < $1.key }) { fields.append((name, value)) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { add(name, value) }
    }

    /// Appends one header.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    /// The last value of `name`, compared without case.
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return fields.last { $0.name.lowercased() == lowered }?.value
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    /// Parses one raw header line as curl hands it over (`Name: value\r\n`); status lines and blanks are skipped.
    mutating func addRawLine(_ line: String) {
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
        let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespacesAndNewlines)
        if !name.isEmpty { add(name, value) }
    }
}

import Foundation
