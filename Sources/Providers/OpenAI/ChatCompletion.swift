import DubSupport
import ProviderAPI
import Foundation

/// The parts of a `/chat/completions` answer dub reads.
struct ChatCompletion: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable {
            var content: String?
            var refusal: String?
        }
        var message: Message
        var finishReason: String?
        enum CodingKeys: String, CodingKey { case message, finishReason = "finish_reason" }
    }
    struct Usage: Decodable {
        var promptTokens: Int?
        var completionTokens: Int?
        enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens" }
    }
    var choices: [Choice]
    var usage: Usage?
}

/// The structured reply the translator asks for: `{"lines":[{"id":1,"text":"..."}]}`.
struct TranslatedLines: Codable {
    struct Line: Codable {
        var id: Int
        var text: String
        /// How the line is said (`Delivery`); optional in decoding, so a reply without it still translates.
        var delivery: String?
    }
    var lines: [Line]

    /// The strict JSON schema sent as `response_format`.
    static var schema: [String: Any] { [
        "type": "json_schema",
        "json_schema": [
            "name": "dub_translation",
            "strict": true,
            "schema": [
                "type": "object",
                "additionalProperties": false,
                "required": ["lines"],
                "properties": [
                    "lines": [
                        "type": "array",
                        "items": [
                            "type": "object",
                            "additionalProperties": false,
                            // Strict mode: every property is required ("all fields must be required", structured outputs guide).
                            "required": ["id", "text", "delivery"],
                            "properties": ["id": ["type": "integer"], "text": ["type": "string"],
                                           "delivery": ["type": "string", "enum": Delivery.allCases.map(\.rawValue)]],
                        ],
                    ],
                ],
            ],
        ] as [String: Any],
    ] }
}
