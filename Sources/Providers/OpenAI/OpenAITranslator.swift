import DubSupport
import ProviderAPI
import Foundation

/// Translation with OpenAI chat completions and a strict JSON schema: a batch of lines with ids goes in (with the
/// neighbouring lines as context, per-line length budgets and a glossary), the same ids must come out. A reply
/// with missing or extra ids, an empty line, a cut-off (`finish_reason: length`) or a refusal is handled by
/// splitting the batch in two and asking again, down to single lines.
public struct OpenAITranslator: Translator {
    public let client: OpenAIClient
    public var model: String
    public var name: String { "openai-\(model)" }
    public var followsBudgets: Bool { true }

    public init(client: OpenAIClient, model: String = "gpt-4o-mini") {
        self.client = client
        self.model = model
    }

    public func translate(_ request: TranslationRequest) async throws -> [Int: String] {
        try await translations(request).mapValues(\.text)
    }

    /// Translations with the delivery the model reads in each line (one more field of the structured output).
    public func translations(_ request: TranslationRequest) async throws -> [Int: Translation] {
        guard !request.lines.isEmpty else { return [:] }
        do {
            return try await ask(request)
        } catch let problem as ReplyProblem {
            guard request.lines.count > 1 else {
                // One line left: one more try, then give up with the reason.
                if let answer = try? await ask(request) { return answer }
                throw ProviderError(code: .badResponse, provider: "OpenAI", message: "translation of line \(request.lines[0].id) failed: \(problem.reason)")
            }
            let half = request.lines.count / 2
            let first = Array(request.lines[..<half]), second = Array(request.lines[half...])
            var a = request, b = request
            a.lines = first
            a.after = second.map(\.text).prefix(2) + request.after
            b.lines = second
            b.before = Array((request.before + first.map(\.text)).suffix(2))
            async let left = translations(a)
            async let right = translations(b)
            return try await left.merging(try await right) { x, _ in x }
        }
    }

    /// Why a reply could not be used (handled by splitting the batch).
    struct ReplyProblem: Error {
        var reason: String
    }

    /// Whether `model` is a reasoning model (o-series, gpt-5 family), which rejects a `temperature` other than the
    /// default with 400 `unsupported_value` and takes `max_completion_tokens`, never `max_tokens` (openapi.yaml
    /// `CreateChatCompletionRequest`: "not compatible with o-series models"). dub sends neither token limit.
    static func isReasoning(_ model: String) -> Bool {
        let id = model.lowercased()
        return id.hasPrefix("gpt-5") || (id.hasPrefix("o") && id.dropFirst().first?.isNumber == true)
    }

    /// The request body: a low temperature for chat models, none (the default) for reasoning models.
    func body(_ request: TranslationRequest) throws -> [String: Any] {
        var body: [String: Any] = [
            "model": model,
            "messages": [
                ["role": "system", "content": Self.instructions(request)],
                ["role": "user", "content": try Self.payload(request)],
            ],
            "response_format": TranslatedLines.schema,
        ]
        if !Self.isReasoning(model) { body["temperature"] = 0.3 }
        return body
    }

    private func ask(_ request: TranslationRequest) async throws -> [Int: Translation] {
        let http = try client.jsonRequest("/chat/completions", try body(request))
        let completion = try await client.send(http, decoding: ChatCompletion.self)
        client.meter.record("openai", ProviderUsage(promptTokens: completion.usage?.promptTokens ?? 0,
                                                    completionTokens: completion.usage?.completionTokens ?? 0, requests: 1))
        guard let choice = completion.choices.first else { throw ReplyProblem(reason: "no choices in the reply") }
        if let refusal = choice.message.refusal { throw ReplyProblem(reason: "the model refused: \(refusal)") }
        if choice.finishReason == "length" { throw ReplyProblem(reason: "the reply was cut off (finish_reason length)") }
        guard let content = choice.message.content,
              let reply = try? JSONDecoder().decode(TranslatedLines.self, from: Data(content.utf8)) else {
            throw ReplyProblem(reason: "the reply is not the requested JSON")
        }
        return try Self.validate(reply, against: request)
    }

    /// One non-empty translation for exactly the requested ids.
    static func validate(_ reply: TranslatedLines, against request: TranslationRequest) throws -> [Int: Translation] {
        let wanted = Set(request.lines.map(\.id))
        var out: [Int: Translation] = [:]
        for line in reply.lines {
            guard wanted.contains(line.id) else { throw ReplyProblem(reason: "unexpected id \(line.id)") }
            guard out[line.id] == nil else { throw ReplyProblem(reason: "id \(line.id) twice") }
            let text = line.text.trimmed
            guard !text.isEmpty else { throw ReplyProblem(reason: "empty translation for id \(line.id)") }
            out[line.id] = Translation(text: text, delivery: line.delivery.flatMap(Delivery.init(rawValue:)))
        }
        let missing = wanted.subtracting(out.keys)
        guard missing.isEmpty else { throw ReplyProblem(reason: "missing ids \(missing.sorted())") }
        return out
    }

    static func instructions(_ request: TranslationRequest) -> String {
        let from = request.source.map { "from \($0.displayName) (\($0.tag)) " } ?? ""
        let target = request.target.displayName
        return """
        You translate dialogue for dubbing \(from)into \(target) (\(request.target.tag)). Each line will be \
        spoken aloud in the time the original took, so write natural, spoken \(target) that keeps the meaning \
        and tone, and keep every line within its max_length (characters; for ko, ja and zh: syllables). Shorten \
        freely when needed; never add explanations. Use the glossary's translations for its terms. The context \
        lines are for understanding only. For each line also say how it is delivered in the original (delivery: \
        \(Delivery.allCases.map(\.rawValue).joined(separator: ", "))). Answer with exactly one entry per input id.
        """
    }

    static func payload(_ request: TranslationRequest) throws -> String {
        var lines: [[String: Any]] = []
        for line in request.lines {
            var item: [String: Any] = ["id": line.id, "text": line.text]
            if let budget = line.budget { item["max_length"] = budget }
            lines.append(item)
        }
        var object: [String: Any] = ["lines": lines]
        if !request.before.isEmpty { object["context_before"] = request.before }
        if !request.after.isEmpty { object["context_after"] = request.after }
        if !request.glossary.isEmpty { object["glossary"] = request.glossary }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
