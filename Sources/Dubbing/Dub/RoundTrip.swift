import DubSupport
import ProviderAPI
/// Comparing what a dubbed line should say with what a recogniser heard: word error rate and cut-off endings.
public enum RoundTrip {
    /// Languages written without spaces, compared character by character.
    static let unspaced: Set<String> = ["ja", "zh", "th"]

    /// The comparable units of `text`: lowercased words without punctuation (characters for Japanese, Chinese, Thai).
    public static func units(_ text: String, language: String) -> [String] {
        let cleaned = String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " })
        if unspaced.contains(language) { return cleaned.filter { !$0.isWhitespace }.map(String.init) }
        return cleaned.split(separator: " ").map(String.init)
    }

    /// Word (or character) error rate of `heard` against `expected`: edits / expected length (0 = identical).
    public static func errorRate(expected: String, heard: String, language: String) -> Double {
        let a = units(expected, language: language), b = units(heard, language: language)
        guard !a.isEmpty else { return b.isEmpty ? 0 : 1 }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return Double(previous[b.count]) / Double(a.count)
    }

    /// Whether the ending is missing: the last expected word is not among the last three heard.
    public static func isCutOff(expected: String, heard: String, language: String) -> Bool {
        guard let last = units(expected, language: language).last else { return false }
        return !units(heard, language: language).suffix(3).contains(last)
    }
}

/// One line's round-trip check (`--verify`).
public struct LineCheck: Codable, Sendable, Equatable {
    public var id: Int
    public var expected: String
    public var heard: String
    public var errorRate: Double
    public var cutOff: Bool
    /// Whether the line was synthesized again after failing its first check.
    public var retaken: Bool
    public var passed: Bool

    enum CodingKeys: String, CodingKey {
        case id, expected, heard
        case errorRate = "error_rate"
        case cutOff = "cut_off"
        case retaken, passed
    }
}
