#if canImport(Glibc)
import Glibc
#endif

/// A language as people and providers write it, and every form dub needs of it.
///
/// In: a BCP-47 tag (`en`, `en-US`, `pt-BR`, `zh-Hant`, `zh-TW`, `ko-KR`, underscores accepted), a three-letter ISO 639-2/3
/// code (`eng`, `spa`, `ger`/`deu`), or an English name (`english`, as Whisper answers). Out: ISO 639-1 (`alpha2`),
/// ISO 639-2/B as Matroska and MP4 store it (`alpha3`), ISO 639-3 (`alpha3T`), the English name, and the script and region
/// when given (Chinese gets its script from the region: `zh-TW` is Traditional). Each provider maps it to its own
/// form (Whisper ISO 639-1, Scribe 639-1 or 639-3, CLOVA `ko-KR`/`zh-tw`, Papago `zh-CN`/`zh-TW`). Encoded as its tag.
public struct Language: Sendable, Hashable, CustomStringConvertible, Codable {
    /// ISO 639-1 code, when the language has one.
    public let alpha2: String?
    /// ISO 639-2/B code, as Matroska and MP4 store it.
    public let alpha3: String
    /// ISO 639-2/T (= ISO 639-3) code.
    public let alpha3T: String
    /// English name.
    public let name: String
    /// ISO 15924 script (`Hant`, `Hans`, `Latn`), when given or implied.
    public let script: String?
    /// ISO 3166 region (`BR`, `TW`) or UN M.49 area (`419`), when given.
    public let region: String?

    /// The language with no region or script (`pt-BR` → `pt`).
    public var base: Language { Language(entry: (alpha2 ?? "", alpha3, alpha3T, name), script: nil, region: nil) }

    /// The shortest code: ISO 639-1, else ISO 639-3.
    public var code: String { alpha2 ?? alpha3T }

    /// The canonical BCP-47 tag: `es`, `pt-BR`, `zh-Hant-TW`.
    public var tag: String {
        var parts = [code]
        if let script, !(code == "zh" && region != nil && Self.impliedScript(region) == script) { parts.append(script) }
        if let region { parts.append(region) }
        return parts.joined(separator: "-")
    }

    /// The name with the region or script, for people and prompts: "Portuguese (Brazil)", "Chinese (Traditional)".
    public var displayName: String {
        if let region, let place = Self.regionNames[region] { return "\(name) (\(place))" }
        if let script, let writing = Self.scriptNames[script] { return "\(name) (\(writing))" }
        return name
    }

    /// Whether this is "undetermined" (`und`).
    public var isUndetermined: Bool { alpha3 == "und" }

    public static let undetermined = Language(entry: ("", "und", "und", "Undetermined"), script: nil, region: nil)

    public var description: String { tag }

    /// Parses a tag, code or English name, case-insensitively.
    /// - Throws: `MediaError.invalidArgument` for anything unknown, with a suggestion when one is close.
    public init(_ text: String) throws {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw MediaError(.invalidArgument, "no language given", hint: "use a language tag such as en, es, pt-BR or zh-TW")
        }
        let subtags = trimmed.replacingUnderscores().split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let primary = subtags[0].lowercased()
        guard let entry = Self.entry(code: primary) ?? (subtags.count == 1 ? Self.entry(name: trimmed) : nil) else {
            throw Self.unknown(trimmed)
        }
        var script: String?
        var region: String?
        for subtag in subtags.dropFirst() {
            if subtag.count == 4, subtag.allSatisfy(\.isLetter), script == nil, region == nil {
                script = subtag.prefix(1).uppercased() + subtag.dropFirst().lowercased()
            } else if (subtag.count == 2 && subtag.allSatisfy(\.isLetter)) || (subtag.count == 3 && subtag.allSatisfy(\.isNumber)), region == nil {
                region = subtag.uppercased()
            } else {
                throw MediaError(.invalidArgument, "cannot read the language tag '\(trimmed)' (at '\(subtag)')",
                                 hint: "use language[-Script][-REGION], e.g. pt-BR, zh-Hant, zh-TW")
            }
        }
        if entry.0 == "zh", script == nil { script = Self.impliedScript(region) }
        self.init(entry: entry, script: script, region: region)
    }

    private init(entry: (String, String, String, String), script: String?, region: String?) {
        alpha2 = entry.0.isEmpty ? nil : entry.0
        alpha3 = entry.1
        alpha3T = entry.2
        name = entry.3
        self.script = script
        self.region = region
    }

    public init(from decoder: any Decoder) throws {
        let tag = try decoder.singleValueContainer().decode(String.self)
        if tag == "und" { self = .undetermined } else { try self.init(tag) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(tag)
    }

    public static func == (a: Language, b: Language) -> Bool { a.tag == b.tag }
    public func hash(into hasher: inout Hasher) { hasher.combine(tag) }

    /// Whether the language is written in Traditional Chinese (a `Hant` script, given or implied by TW, HK or MO).
    public var isTraditionalChinese: Bool { code == "zh" && script == "Hant" }

    /// Splits `FILE[:LANG]` into the path and the language (a word after the last colon); a file that exists with
    /// the whole name is taken as it is.
    public static func split(_ argument: String) throws -> (path: String, language: Language?) {
        if access(argument, F_OK) == 0 { return (argument, nil) }
        if let colon = argument.lastIndex(of: ":") {
            let suffix = argument[argument.index(after: colon)...]
            if !suffix.isEmpty, suffix.count <= 20, suffix.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !suffix.contains("/") {
                return (String(argument[..<colon]), try Language(String(suffix)))
            }
        }
        return (argument, nil)
    }

    static func impliedScript(_ region: String?) -> String? {
        switch region {
        case "TW", "HK", "MO": "Hant"
        case "CN", "SG": "Hans"
        default: nil
        }
    }

    static func entry(code: String) -> (String, String, String, String)? {
        guard code.count == 2 || code.count == 3, code != "und" else { return nil }
        return table.first { $0.0 == code || $0.1 == code || $0.2 == code }
            ?? aliases[code].flatMap { alias in table.first { $0.0 == alias } }
    }

    static func entry(name: String) -> (String, String, String, String)? {
        let key = name.lowercased()
        return table.first { $0.3.lowercased() == key } ?? nameAliases[key].flatMap { alias in table.first { $0.0 == alias } }
    }

    /// The error for an unknown language, suggesting the closest known code or name.
    static func unknown(_ text: String) -> MediaError {
        let key = text.lowercased()
        var best: (distance: Int, entry: (String, String, String, String))?
        for entry in table.dropLast() {
            let candidates = [entry.0, entry.1, entry.3.lowercased()].filter { !$0.isEmpty }
            for candidate in candidates {
                let distance = candidate.hasPrefix(key) && key.count >= 3 ? 0 : editDistance(key, candidate)
                if distance < (best?.distance ?? Int.max) { best = (distance, entry) }
            }
        }
        let limit = key.count <= 3 ? 1 : 2
        let suggestion = best.flatMap { $0.distance <= limit ? " (did you mean '\($0.entry.0.isEmpty ? $0.entry.2 : $0.entry.0)', \($0.entry.3)?)" : nil } ?? ""
        return MediaError(.invalidArgument, "unknown language code '\(text)'\(suggestion)",
                          hint: "use a language tag such as en, es, pt-BR, zh-TW, a three-letter ISO 639 code, or an English name")
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Deprecated or alternative codes still seen in files.
    static let aliases = ["iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "cmn": "zh", "yue": "zh", "fil": "tl", "zsm": "ms"]
    /// Names providers use that are not the table's.
    static let nameAliases = ["mandarin": "zh", "cantonese": "zh", "filipino": "tl", "castilian": "es", "moldavian": "ro", "persian": "fa",
                              "farsi": "fa", "norwegian bokmal": "nb", "burmese": "my", "flemish": "nl", "valencian": "ca"]

    static let regionNames = ["US": "United States", "GB": "United Kingdom", "BR": "Brazil", "PT": "Portugal", "MX": "Mexico",
                              "ES": "Spain", "419": "Latin America", "TW": "Taiwan", "HK": "Hong Kong", "CN": "China", "CA": "Canada",
                              "FR": "France", "BE": "Belgium", "CH": "Switzerland", "AU": "Australia", "IN": "India", "KR": "Korea",
                              "JP": "Japan", "DE": "Germany", "AT": "Austria", "AR": "Argentina", "SG": "Singapore", "MO": "Macao"]
    static let scriptNames = ["Hant": "Traditional", "Hans": "Simplified", "Latn": "Latin", "Cyrl": "Cyrillic", "Arab": "Arabic"]

    /// (ISO 639-1, ISO 639-2/B, ISO 639-2/T, English name).
    static let table: [(String, String, String, String)] = [
        ("af", "afr", "afr", "Afrikaans"), ("am", "amh", "amh", "Amharic"), ("ar", "ara", "ara", "Arabic"),
        ("az", "aze", "aze", "Azerbaijani"), ("be", "bel", "bel", "Belarusian"), ("bg", "bul", "bul", "Bulgarian"),
        ("bn", "ben", "ben", "Bengali"), ("bs", "bos", "bos", "Bosnian"), ("ca", "cat", "cat", "Catalan"),
        ("cs", "cze", "ces", "Czech"), ("cy", "wel", "cym", "Welsh"), ("da", "dan", "dan", "Danish"),
        ("de", "ger", "deu", "German"), ("el", "gre", "ell", "Greek"), ("en", "eng", "eng", "English"),
        ("es", "spa", "spa", "Spanish"), ("et", "est", "est", "Estonian"), ("eu", "baq", "eus", "Basque"),
        ("fa", "per", "fas", "Persian"), ("fi", "fin", "fin", "Finnish"), ("fr", "fre", "fra", "French"),
        ("ga", "gle", "gle", "Irish"), ("gl", "glg", "glg", "Galician"), ("gu", "guj", "guj", "Gujarati"),
        ("he", "heb", "heb", "Hebrew"), ("hi", "hin", "hin", "Hindi"), ("hr", "hrv", "hrv", "Croatian"),
        ("hu", "hun", "hun", "Hungarian"), ("hy", "arm", "hye", "Armenian"), ("id", "ind", "ind", "Indonesian"),
        ("is", "ice", "isl", "Icelandic"), ("it", "ita", "ita", "Italian"), ("ja", "jpn", "jpn", "Japanese"),
        ("jv", "jav", "jav", "Javanese"), ("ka", "geo", "kat", "Georgian"), ("kk", "kaz", "kaz", "Kazakh"),
        ("km", "khm", "khm", "Khmer"), ("kn", "kan", "kan", "Kannada"), ("ko", "kor", "kor", "Korean"),
        ("lo", "lao", "lao", "Lao"), ("lt", "lit", "lit", "Lithuanian"), ("lv", "lav", "lav", "Latvian"),
        ("mi", "mao", "mri", "Maori"), ("mk", "mac", "mkd", "Macedonian"), ("ml", "mal", "mal", "Malayalam"),
        ("mn", "mon", "mon", "Mongolian"), ("mr", "mar", "mar", "Marathi"), ("ms", "may", "msa", "Malay"),
        ("my", "bur", "mya", "Burmese"), ("nb", "nob", "nob", "Norwegian Bokmål"), ("ne", "nep", "nep", "Nepali"),
        ("nl", "dut", "nld", "Dutch"), ("no", "nor", "nor", "Norwegian"), ("pa", "pan", "pan", "Punjabi"),
        ("pl", "pol", "pol", "Polish"), ("pt", "por", "por", "Portuguese"), ("ro", "rum", "ron", "Romanian"),
        ("ru", "rus", "rus", "Russian"), ("si", "sin", "sin", "Sinhala"), ("sk", "slo", "slk", "Slovak"),
        ("sl", "slv", "slv", "Slovenian"), ("sq", "alb", "sqi", "Albanian"), ("sr", "srp", "srp", "Serbian"),
        ("sv", "swe", "swe", "Swedish"), ("sw", "swa", "swa", "Swahili"), ("ta", "tam", "tam", "Tamil"),
        ("te", "tel", "tel", "Telugu"), ("th", "tha", "tha", "Thai"), ("tl", "tgl", "tgl", "Tagalog"),
        ("tr", "tur", "tur", "Turkish"), ("uk", "ukr", "ukr", "Ukrainian"), ("ur", "urd", "urd", "Urdu"),
        ("uz", "uzb", "uzb", "Uzbek"), ("vi", "vie", "vie", "Vietnamese"), ("yi", "yid", "yid", "Yiddish"),
        ("zh", "chi", "zho", "Chinese"), ("zu", "zul", "zul", "Zulu"), ("", "und", "und", "Undetermined"),
    ]
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
