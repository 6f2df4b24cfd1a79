#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one JSON configuration dub writes and reads with: sorted keys, slashes unescaped, and the non-finite numbers
/// a measurement can give (the loudness of silence is −∞) written as the strings "inf", "-inf" and "nan" instead of
/// failing the whole document.
public enum DubJSON {
    private static let strategy = (positive: "inf", negative: "-inf", nan: "nan")

    /// The encoders with dub's settings, compact and indented, and the decoder that reads what they write: made once
    /// and shared (their settings never change; each call keeps its own state), since making one costs more than a small
    /// document's encoding.
    private static let compact = makeEncoder(pretty: false), indented = makeEncoder(pretty: true)
    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: strategy.positive,
                                                                        negativeInfinity: strategy.negative, nan: strategy.nan)
        return decoder
    }()

    private static func makeEncoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: strategy.positive,
                                                                      negativeInfinity: strategy.negative, nan: strategy.nan)
        return encoder
    }

    /// `data` read as `type`.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder.decode(type, from: data)
    }

    /// `value` as JSON bytes.
    public static func encode(_ value: some Encodable, pretty: Bool = false) throws -> [UInt8] {
        Array(try (pretty ? indented : compact).encode(value))
    }

    /// `value` as a JSON string.
    public static func string(_ value: some Encodable, pretty: Bool = false) throws -> String {
        String(decoding: try encode(value, pretty: pretty), as: UTF8.self)
    }
}
