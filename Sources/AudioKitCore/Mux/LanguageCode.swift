#if canImport(Glibc)
import Glibc
#endif

/// A language identified by ISO 639: the two-letter code users type (`es`) and the three-letter
/// bibliographic code containers store (`spa`).
public struct LanguageCode: Sendable, Hashable, CustomStringConvertible {
    /// ISO 639-1 code, when the language has one.
    public let alpha2: String?
    /// ISO 639-2/B code, as Matroska and MP4 store it.
    public let alpha3: String
    /// English name.
    public let name: String

    /// Parses a two- or three-letter code (`es`, `spa`, `ger`/`deu`), case-insensitively.
    /// - Throws: `MediaError.invalidArgument` for a code not in the table.
    public init(_ text: String) throws {
        let code = text.lowercased()
        guard !code.isEmpty else {
            throw MediaError(.invalidArgument, "no language given", hint: "use an ISO 639-1 code such as en, es, ko")
        }
        guard let entry = Self.table.first(where: { $0.0 == code || $0.1 == code || $0.2 == code }) else {
            throw MediaError(.invalidArgument, "unknown language code '\(text)'",
                             hint: "use an ISO 639-1 code such as en, es, ko, or a three-letter ISO 639-2 code")
        }
        alpha2 = entry.0.isEmpty ? nil : entry.0
        alpha3 = entry.1
        name = entry.3
    }

    public var description: String { alpha2 ?? alpha3 }

    /// Splits `FILE[:LANG]` into the path and the language (a suffix of two or three letters after the last colon).
    public static func split(_ argument: String) throws -> (path: String, language: LanguageCode?) {
        // A file whose own name has a colon is taken as it is; otherwise a word after the last colon is the language.
        if access(argument, F_OK) == 0 { return (argument, nil) }
        if let colon = argument.lastIndex(of: ":") {
            let suffix = argument[argument.index(after: colon)...]
            if !suffix.isEmpty, suffix.count <= 16, suffix.allSatisfy({ $0.isLetter || $0 == "-" }) {
                return (String(argument[..<colon]), try LanguageCode(String(suffix)))
            }
        }
        return (argument, nil)
    }

    /// (ISO 639-1, ISO 639-2/B, ISO 639-2/T, English name).
    static let table: [(String, String, String, String)] = [
        ("ar", "ara", "ara", "Arabic"), ("bg", "bul", "bul", "Bulgarian"), ("bn", "ben", "ben", "Bengali"),
        ("ca", "cat", "cat", "Catalan"), ("cs", "cze", "ces", "Czech"), ("da", "dan", "dan", "Danish"),
        ("de", "ger", "deu", "German"), ("el", "gre", "ell", "Greek"), ("en", "eng", "eng", "English"),
        ("es", "spa", "spa", "Spanish"), ("et", "est", "est", "Estonian"), ("eu", "baq", "eus", "Basque"),
        ("fa", "per", "fas", "Persian"), ("fi", "fin", "fin", "Finnish"), ("fil", "fil", "fil", "Filipino"),
        ("fr", "fre", "fra", "French"), ("ga", "gle", "gle", "Irish"), ("gl", "glg", "glg", "Galician"),
        ("gu", "guj", "guj", "Gujarati"), ("he", "heb", "heb", "Hebrew"), ("hi", "hin", "hin", "Hindi"),
        ("hr", "hrv", "hrv", "Croatian"), ("hu", "hun", "hun", "Hungarian"), ("hy", "arm", "hye", "Armenian"),
        ("id", "ind", "ind", "Indonesian"), ("is", "ice", "isl", "Icelandic"), ("it", "ita", "ita", "Italian"),
        ("ja", "jpn", "jpn", "Japanese"), ("ka", "geo", "kat", "Georgian"), ("kk", "kaz", "kaz", "Kazakh"),
        ("km", "khm", "khm", "Khmer"), ("kn", "kan", "kan", "Kannada"), ("ko", "kor", "kor", "Korean"),
        ("lt", "lit", "lit", "Lithuanian"), ("lv", "lav", "lav", "Latvian"), ("mk", "mac", "mkd", "Macedonian"),
        ("ml", "mal", "mal", "Malayalam"), ("mn", "mon", "mon", "Mongolian"), ("mr", "mar", "mar", "Marathi"),
        ("ms", "may", "msa", "Malay"), ("my", "bur", "mya", "Burmese"), ("nb", "nob", "nob", "Norwegian Bokmål"),
        ("ne", "nep", "nep", "Nepali"), ("nl", "dut", "nld", "Dutch"), ("no", "nor", "nor", "Norwegian"),
        ("pa", "pan", "pan", "Punjabi"), ("pl", "pol", "pol", "Polish"), ("pt", "por", "por", "Portuguese"),
        ("ro", "rum", "ron", "Romanian"), ("ru", "rus", "rus", "Russian"), ("sk", "slo", "slk", "Slovak"),
        ("sl", "slv", "slv", "Slovenian"), ("sq", "alb", "sqi", "Albanian"), ("sr", "srp", "srp", "Serbian"),
        ("sv", "swe", "swe", "Swedish"), ("sw", "swa", "swa", "Swahili"), ("ta", "tam", "tam", "Tamil"),
        ("te", "tel", "tel", "Telugu"), ("th", "tha", "tha", "Thai"), ("tl", "tgl", "tgl", "Tagalog"),
        ("tr", "tur", "tur", "Turkish"), ("uk", "ukr", "ukr", "Ukrainian"), ("ur", "urd", "urd", "Urdu"),
        ("uz", "uzb", "uzb", "Uzbek"), ("vi", "vie", "vie", "Vietnamese"), ("zh", "chi", "zho", "Chinese"),
        ("zu", "zul", "zul", "Zulu"), ("", "und", "und", "Undetermined"),
    ]
}
