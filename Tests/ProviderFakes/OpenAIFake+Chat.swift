import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/chat/completions` as the translator uses it: auth, request checks (model, messages, a strict
/// `json_schema` response format) and a budget-following pseudo-translation of the `lines` in the last user
/// message (`[xx] text`, glossary terms replaced, cut to `max_length`). Quirks: `missing-id`, `extra-id`,
/// `length` (cut off), `refusal`, `bad-content` (content that is not JSON).
extension OpenAIFake {
    static func registerChat(on router: Router<BasicRequestContext>, control: FakeControl) {
        router.post("v1/chat/completions") { request, context -> Response in
            let path = request.uri.path
            if let early = try await gate(request, control) { return early }
            let body = try await request.body.collect(upTo: 4 << 20)
            guard let json = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                return error(400, "We could not parse the JSON body of your request.", type: "invalid_request_error", code: nil)
            }
            if let problem = validateChat(json) { return error(400, problem.message, type: "invalid_request_error", code: nil, param: problem.param) }
            let messages = json["messages"] as? [[String: Any]] ?? []
            let prompt = messages.compactMap { $0["content"] as? String }.joined(separator: "\n")
            let system = messages.first { ($0["role"] as? String) == "system" }?["content"] as? String ?? ""
            let user = messages.last { ($0["role"] as? String) == "user" }?["content"] as? String ?? ""
            var lines = translate(user, target: targetLanguage(in: system), expansion: control.translationExpansion)
            // A schema that asks for each line's delivery gets one: read from the source's punctuation.
            if deliveryEnum(json) != nil {
                let sources = sourceTexts(user)
                for i in lines.indices {
                    let text = sources[lines[i]["id"] as? Int ?? -1] ?? ""
                    lines[i]["delivery"] = text.hasSuffix("?") ? "question" : text.hasSuffix("!") ? "excited" : "neutral"
                }
            }
            var finish = "stop", refusal: String? = nil
            var content: String?
            switch control.nextQuirk(for: path) {
            case "missing-id": lines = Array(lines.dropLast())
            case "extra-id": lines.append(["id": 9_999, "text": "extra"])
            case "length": finish = "length"
            case "refusal": refusal = "I'm sorry, I can't help with that."
            case "bad-content": content = "Sure! Here are the lines: {"
            default: break
            }
            if refusal == nil, content == nil {
                let data = try JSONSerialization.data(withJSONObject: ["lines": lines])
                content = String(decoding: data, as: UTF8.self)
                if finish == "length", let text = content { content = String(text.prefix(text.count / 2)) }
            }
            let object: [String: Any] = [
                "id": "chatcmpl-" + requestID().dropFirst(4), "object": "chat.completion", "created": Int(Date().timeIntervalSince1970),
                "model": json["model"] as? String ?? "",
                "choices": [["index": 0, "message": ["role": "assistant", "content": content as Any? ?? NSNull(),
                                                      "refusal": refusal as Any? ?? NSNull()], "finish_reason": finish]],
                "usage": ["prompt_tokens": prompt.count / 4 + 1, "completion_tokens": (content?.count ?? 0) / 4 + 1,
                          "total_tokens": prompt.count / 4 + (content?.count ?? 0) / 4 + 2],
            ]
            let data = try JSONSerialization.data(withJSONObject: object)
            return Response(status: .ok, headers: [.contentType: "application/json", HTTPField.Name("x-request-id")!: requestID()],
                            body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
        }
    }

    /// The first problem the real API would report with a 400, if any. Rules from openai/openai-openapi `openapi.yaml`,
    /// `CreateChatCompletionRequest` and `ResponseFormatJsonSchema` (name `^[a-zA-Z0-9_-]{1,64}$`, strict schemas with
    /// `additionalProperties: false`); reasoning models (o-series, gpt-5 family) answer a non-default `temperature`
    /// with "Unsupported value: 'temperature' does not support 0.3 with this model" and `max_tokens` with "Unsupported
    /// parameter: 'max_tokens' ... Use 'max_completion_tokens' instead" (the spec: `max_tokens` "is not compatible
    /// with o-series models").
    static func validateChat(_ json: [String: Any]) -> (message: String, param: String)? {
        guard let model = json["model"] as? String, !model.isEmpty else { return ("you must provide a model parameter", "model") }
        let reasoning = model.hasPrefix("gpt-5") || (model.hasPrefix("o") && model.dropFirst().first?.isNumber == true)
        if reasoning, let temperature = json["temperature"] as? Double, temperature != 1 {
            return ("Unsupported value: 'temperature' does not support \(temperature) with this model. Only the default (1) value is supported.", "temperature")
        }
        if reasoning, json["max_tokens"] != nil {
            return ("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "max_tokens")
        }
        if let temperature = json["temperature"] as? Double, !(0...2).contains(temperature) {
            return ("Invalid 'temperature': must be between 0 and 2.", "temperature")
        }
        guard let messages = json["messages"] as? [[String: Any]], !messages.isEmpty else {
            return ("[] is too short - 'messages'", "messages")
        }
        for (index, message) in messages.enumerated() {
            guard let role = message["role"] as? String, ["system", "developer", "user", "assistant"].contains(role) else {
                return ("Invalid value for 'messages[\(index)].role'.", "messages[\(index)].role")
            }
            guard message["content"] is String else { return ("Invalid type for 'messages[\(index)].content'.", "messages[\(index)].content") }
        }
        if let format = json["response_format"] as? [String: Any] {
            switch format["type"] as? String {
            case "json_schema":
                guard let schema = format["json_schema"] as? [String: Any], let name = schema["name"] as? String,
                      name.range(of: "^[a-zA-Z0-9_-]{1,64}$", options: .regularExpression) != nil else {
                    return ("Invalid 'response_format.json_schema.name': must match ^[a-zA-Z0-9_-]{1,64}$.", "response_format.json_schema.name")
                }
                guard let body = schema["schema"] as? [String: Any], body["type"] as? String == "object" else {
                    return ("Invalid schema for response_format 'dub': schema must be a JSON Schema of 'type: \"object\"'.", "response_format")
                }
                if schema["strict"] as? Bool == true, body["additionalProperties"] as? Bool != false {
                    return ("Invalid schema for response_format: 'additionalProperties' is required to be supplied and to be false.", "response_format")
                }
                // Strict mode: "all fields or function parameters must be specified as required" (platform.openai.com
                // docs, Structured Outputs, "Supported schemas").
                if schema["strict"] as? Bool == true, let missing = unrequired(body) {
                    return ("Invalid schema for response_format: 'required' is required to be supplied and to be an array including every key in properties. Missing '\(missing)'.", "response_format")
                }
            case "text", "json_object": break
            default: return ("Invalid value for 'response_format.type'.", "response_format.type")
            }
        }
        return nil
    }

    /// The first property of an object schema (or of any object nested in it) that its `required` list leaves out.
    static func unrequired(_ schema: [String: Any]) -> String? {
        if let properties = schema["properties"] as? [String: Any] {
            let required = Set(schema["required"] as? [String] ?? [])
            if let missing = properties.keys.sorted().first(where: { !required.contains($0) }) { return missing }
            for value in properties.values {
                if let nested = value as? [String: Any], let missing = unrequired(nested) { return missing }
            }
        }
        if let items = schema["items"] as? [String: Any] { return unrequired(items) }
        return nil
    }

    /// The `enum` of the `delivery` property of the lines' items in a json_schema response format, if there is one.
    static func deliveryEnum(_ json: [String: Any]) -> [String]? {
        let schema = ((json["response_format"] as? [String: Any])?["json_schema"] as? [String: Any])?["schema"] as? [String: Any]
        let items = ((schema?["properties"] as? [String: Any])?["lines"] as? [String: Any])?["items"] as? [String: Any]
        return ((items?["properties"] as? [String: Any])?["delivery"] as? [String: Any])?["enum"] as? [String]
    }

    /// The source text of each line in the user message, by id.
    static func sourceTexts(_ user: String) -> [Int: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(user.utf8)) as? [String: Any],
              let lines = object["lines"] as? [[String: Any]] else { return [:] }
        return Dictionary(lines.compactMap { line in (line["id"] as? Int).map { ($0, line["text"] as? String ?? "") } }) { first, _ in first }
    }

    /// The target tag the instructions name (`into Portuguese (Brazil) (pt-BR).`), or `xx`.
    static func targetLanguage(in system: String) -> String {
        guard let match = system.firstMatch(of: /into [^.]*\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\)\./) else { return "xx" }
        return String(match.1)
    }

    /// `[target] text` per line, glossary terms replaced, cut at a word to `max_length`.
    static func translate(_ user: String, target: String, expansion: Double = 0) -> [[String: Any]] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(user.utf8)) as? [String: Any],
              let lines = object["lines"] as? [[String: Any]] else { return [] }
        let glossary = object["glossary"] as? [String: String] ?? [:]
        return lines.compactMap { line in
            guard let id = line["id"] as? Int, var text = line["text"] as? String else { return nil }
            for (term, translation) in glossary { text = text.replacingOccurrences(of: term, with: translation) }
            var translated = "[\(target)] \(text)"
            if expansion > 0 {
                // Filler words until the text is `expansion` longer than the source.
                let filler = ["muy", "realmente", "bastante", "simplemente", "claramente"]
                var words = translated.split(separator: " ").map(String.init)
                var k = 0
                while words.joined(separator: " ").count < Int(Double(text.count) * (1 + expansion)) + target.count + 3 {
                    words.insert(filler[k % filler.count], at: min(words.count, 2 + (k * 3) % max(1, words.count - 1)))
                    k += 1
                }
                translated = words.joined(separator: " ")
            }
            if let budget = line["max_length"] as? Int {
                let limit = expansion > 0 ? Int(Double(budget) * 1.1) : budget
                while translated.count > max(limit, 1), let space = translated.lastIndex(of: " ") {
                    translated = String(translated[..<space])
                }
            }
            return ["id": id, "text": translated]
        }
    }
}
