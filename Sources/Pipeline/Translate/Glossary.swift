import Foundation

/// A glossary file: a JSON object `{"source term": "translation"}`, or text lines `source term = translation`
/// (or tab-separated), `#` comments allowed.
public enum Glossary {
    public static func load(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GlossaryError(path: path, line: 0, message: "cannot read the file")
        }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: String] { return object }
        var terms: [String: String] = [:]
        for (number, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.contains("\t") ? line.split(separator: "\t", maxSplits: 1) : line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else {
                throw GlossaryError(path: path, line: number + 1, message: "expected 'term = translation'")
            }
            let term = parts[0].trimmingCharacters(in: .whitespaces), translation = parts[1].trimmingCharacters(in: .whitespaces)
            guard !term.isEmpty, !translation.isEmpty else {
                throw GlossaryError(path: path, line: number + 1, message: "empty term or translation")
            }
            terms[term] = translation
        }
        return terms
    }
}

/// A glossary file that could not be read, with the line where it went wrong.
public struct GlossaryError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var line: Int
    public var message: String
    public var description: String { "glossary '\(path)'\(line > 0 ? ", line \(line)" : ""): \(message)" }
}
