import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// A glossary file: a JSON object `{"source term": "translation"}`, or text lines `source term = translation`
/// (or tab-separated), `#` comments allowed. At most `InputFile.smallLimit` bytes; a file that looks like a
/// credentials file (`OPENAI_API_KEY=...`) is refused, because glossary entries are sent to the translator.
public enum Glossary {
    public static func load(_ path: String) throws -> [String: String] {
        let data: [UInt8]
        do {
            data = try InputFile.read(path, what: "glossary", limit: InputFile.smallLimit)
        } catch let error as MediaError {
            throw GlossaryError(path: path, line: 0, message: error.description)
        }
        let terms: [String: String]
        if let object = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: String] {
            terms = object
        } else {
            let (text, _) = try InputFile.decode(data, what: "glossary", path: path)
            terms = try parseLines(text, path: path)
        }
        if let (term, line) = credentialLike(terms, text: String(decoding: data, as: UTF8.self)) {
            throw GlossaryError(path: path, line: line, message: "'\(term)' looks like a secret, not a term: this looks like a credentials file "
                                + "(its entries would be sent to the translator); give a glossary of terms and translations")
        }
        return terms
    }

    static func parseLines(_ text: String, path: String) throws -> [String: String] {
        var terms: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
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

    /// The first entry that looks like a setting holding a secret (`NAME_KEY`, `..._SECRET`, `..._TOKEN`,
    /// `..._PASSWORD`, a URL with a user and password), with its line in `text` (0 when not found).
    static func credentialLike(_ terms: [String: String], text: String) -> (String, Int)? {
        let secretWords = ["KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASS", "CREDENTIAL", "CREDENTIALS", "AUTH", "URL", "DSN"]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var found: [(String, Int)] = []
        for (term, value) in terms {
            let isSettingName = term.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } && term.contains("_")
            let words = term.split(separator: "_").map(String.init)
            let urlWithCredentials = value.range(of: #"[a-zA-Z][a-zA-Z0-9+.-]*://[^/@\s]+:[^/@\s]*@"#, options: .regularExpression) != nil
            if (isSettingName && words.contains(where: secretWords.contains)) || urlWithCredentials || value.hasPrefix("Bearer ") {
                found.append((term, lines.firstIndex { $0.contains(term) }.map { $0 + 1 } ?? 0))
            }
        }
        return found.min { ($0.1, $0.0) < ($1.1, $1.0) }
    }
}

/// A glossary file that could not be read, with the line where it went wrong.
public struct GlossaryError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var line: Int
    public var message: String
    public var description: String { "glossary '\(path)'\(line > 0 ? ", line \(line)" : ""): \(message)" }
}
