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

    /// Papago's language codes for dub's ISO 639-1 ones (Chinese is `zh-CN` or `zh-TW`; the rest are lower case).
    public static func code(_ iso: String) -> String {
        let key = iso.lowercased().replacingOccurrences(of: "_", with: "-")
        return ["zh": "zh-CN", "zh-cn": "zh-CN", "zh-hans": "zh-CN", "zh-tw": "zh-TW", "zh-hant": "zh-TW", "zh-hk": "zh-TW"][key] ?? key
    }

    public func translate(_ request: TranslationRequest) async throws -> [Int: String] {
        for line in request.lines where line.text.count > 5_000 {
            throw ProviderError(code: .http, provider: "Papago", message: "line \(line.id) has \(line.text.count) characters; the limit is 5000")
        }
        return try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for line in request.lines {
                group.addTask {
                    let reply = try await client.postForm(client.papagoURL, [
                        ("source", request.source.map(Self.code) ?? "auto"), ("target", Self.code(request.target)), ("text", line.text),
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
