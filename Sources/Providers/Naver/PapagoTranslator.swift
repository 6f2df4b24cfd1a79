import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// Papago translation: one request per line (form `source`, `target`, `text`), lines in flight up to the client's
/// limit. Papago cannot follow length budgets, so the fit stage does not ask it to re-translate shorter.
public struct PapagoTranslator: Translator {
    public let client: NaverGatewayClient
    public var name: String { "papago" }
    public var followsBudgets: Bool { false }

    public init(client: NaverGatewayClient) {
        self.client = client
    }

    struct Reply: Decodable {
        struct Message: Decodable {
            struct Result: Decodable { var translatedText: String }
            var result: Result
        }
        var message: Message
    }

    /// The languages Papago translates, as it writes them (case matters: `zh-CN`, `zh-TW`), per the NAVER Cloud Papago
    /// Translation API page.
    static let codes = ["ko", "en", "ja", "vi", "th", "id", "fr", "es", "ru", "de", "it"]

    /// Papago's code for `language` (Chinese is `zh-TW` when Traditional, else `zh-CN`); nil when Papago has none.
    public static func code(_ language: Language) -> String? {
        if language.code == "zh" { return language.isTraditionalChinese ? "zh-TW" : "zh-CN" }
        return codes.contains(language.code) ? language.code : nil
    }

    /// Papago's code, or an error naming the languages it has (before anything is sent).
    static func require(_ language: Language) throws -> String {
        guard let code = code(language) else {
            throw ProviderError(code: .unsupported, provider: "Papago", message: "Papago does not translate \(language.displayName) (\(language.tag)); "
                                + "it has \((codes + ["zh-CN", "zh-TW"]).joined(separator: ", ")); use --translator openai")
        }
        return code
    }

    public func translate(_ request: TranslationRequest) async throws -> [Int: String] {
        for line in request.lines where line.text.count > 5_000 {
            throw ProviderError(code: .unsupported, provider: "Papago", message: "line \(line.id) has \(line.text.count) characters; the limit is 5000")
        }
        let source = try request.source.map(Self.require) ?? "auto", target = try Self.require(request.target)
        return try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for line in request.lines {
                group.addTask {
                    let reply = try await client.postForm(client.papagoURL, [
                        ("source", source), ("target", target), ("text", line.text),
                    ], decoding: Reply.self)
                    let text = reply.message.result.translatedText.trimmingCharacters(in: .whitespacesAndNewlines)
                    guard !text.isEmpty else {
                        throw ProviderError(code: .badResponse, provider: "Papago", message: "empty translation for line \(line.id)")
                    }
                    client.meter.record("papago", ProviderUsage(characters: line.text.count, requests: 1))
                    return (line.id, text)
                }
            }
            var out: [Int: String] = [:]
            for try await (id, text) in group { out[id] = text }
            return out
        }
    }
}
