import DubSupport
import ProviderAPI
import Foundation

/// ElevenLabs' voice library and instant voice cloning, per elevenlabs-python (`voices/raw_client.py`,
/// `voices/ivc/raw_client.py`) and the API reference (openapi.json):
/// - `GET /v2/voices` (v1 is deprecated): `page_size` ≤ 100, `next_page_token`, `category`, `search`; the answer is
///   `{voices, has_more, total_count, next_page_token}`, each voice `{voice_id, name, category, labels{gender, age,
///   accent, description, use_case, ...}, description}` (labels are free-form strings).
/// - `POST /v1/voices/add`, multipart: `name` and `files` required (one part per file, each named `files`),
///   `remove_background_noise`, `description`, `labels` (a serialized JSON object); answers `{voice_id,
///   requires_verification}`.
/// - `DELETE /v1/voices/{voice_id}` answers `{"status": "ok"}`.
public struct ElevenLabsVoices: VoiceCatalog, VoiceCloner {
    public let client: ElevenLabsClient

    public init(client: ElevenLabsClient) {
        self.client = client
    }

    /// The most pages of 100 read from the library (casting needs the account's voices, not a marketplace).
    static let maxPages = 10

    struct Page: Decodable {
        struct Voice: Decodable {
            let voice_id: String
            let name: String?
            let category: String?
            let labels: [String: String]?
            let description: String?
        }
        let voices: [Voice]
        let has_more: Bool?
        let next_page_token: String?
    }

    /// The premade voices of the library, with their labels' gender (ElevenLabs' voices are multilingual, so the
    /// language does not narrow them). The account's cloned and professional voices are people's own voices: casting
    /// never hands them to another speaker.
    public func voices(for language: Language) async throws -> [CatalogVoice] {
        try await list(query: "&category=premade")
    }

    /// The voices dub cloned (named with `prefix` and labelled `created_by: dub`).
    public func clonedVoices(prefix: String) async throws -> [CatalogVoice] {
        try await list(query: "&category=cloned&search=\(HTTPRequest.escaped(prefix))").filter { $0.name.hasPrefix(prefix) && $0.note?.contains("created_by=dub") == true }
    }

    /// Whether the voice `id` still exists (`GET /v1/voices/{voice_id}`: 200, or 404 / `voice_not_found`).
    public func hasVoice(_ id: String) async throws -> Bool {
        var request = HTTPRequest(method: "GET", url: "\(client.baseURL)/v1/voices/\(HTTPRequest.escaped(id))")
        client.timeouts.apply(to: &request)
        do {
            _ = try await client.send(request)
            return true
        } catch let error as ProviderError where Self.isNotFound(error) {
            return false
        }
    }

    static func isNotFound(_ error: ProviderError) -> Bool {
        error.status == 404 || error.message.contains("voice_not_found")
    }

    private func list(query: String) async throws -> [CatalogVoice] {
        var result: [CatalogVoice] = []
        var token: String?
        for _ in 0..<Self.maxPages {
            let url = "\(client.baseURL)/v2/voices?page_size=100" + query
                + (token.map { "&next_page_token=\(HTTPRequest.escaped($0))" } ?? "")
            var request = HTTPRequest(method: "GET", url: url)
            client.timeouts.apply(to: &request)
            let page = try await client.send(request, decoding: Page.self)
            result += page.voices.map { voice in
                let labels = voice.labels ?? [:]
                let gender = labels["gender"].flatMap { CatalogVoice.Gender(rawValue: $0.lowercased()) }
                let note = [voice.category, labels["age"], labels["accent"], labels["description"] ?? voice.description,
                            labels["created_by"].map { "created_by=\($0)" }]
                    .compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: ", ")
                return CatalogVoice(id: voice.voice_id, name: voice.name, gender: gender, note: note.isEmpty ? nil : note)
            }
            guard page.has_more == true, let next = page.next_page_token else { break }
            token = next
        }
        return result
    }

    struct Added: Decodable {
        let voice_id: String
        let requires_verification: Bool?
    }

    public func addVoice(name: String, samples: [String], description: String) async throws -> String {
        var parts = [MultipartPart(name: "name", .text(name)), MultipartPart(name: "description", .text(description)),
                     MultipartPart(name: "remove_background_noise", .text("false")),
                     MultipartPart(name: "labels", .text(#"{"created_by":"dub"}"#))]
        parts += samples.map { MultipartPart(name: "files", .file(path: $0, filename: ($0 as NSString).lastPathComponent, contentType: "audio/wav")) }
        var request = HTTPRequest(url: client.baseURL + "/v1/voices/add", body: .multipart(parts))
        client.timeouts.apply(to: &request)
        // Sent once: a retry could make a second voice nobody records.
        request.isIdempotent = false
        let added = try await client.send(request, decoding: Added.self)
        client.meter.record("elevenlabs", ProviderUsage(requests: 1))
        if added.requires_verification == true {
            try? await deleteVoice(added.voice_id)
            throw ProviderError(code: .unsupported, provider: "ElevenLabs",
                                message: "the voice cloned as '\(name)' requires verification before it can speak; verify it in ElevenLabs, or dub without --clone-voices")
        }
        return added.voice_id
    }

    public func deleteVoice(_ id: String) async throws {
        var request = HTTPRequest(method: "DELETE", url: "\(client.baseURL)/v1/voices/\(HTTPRequest.escaped(id))")
        client.timeouts.apply(to: &request)
        do {
            _ = try await client.send(request)
            client.meter.record("elevenlabs", ProviderUsage(requests: 1))
        } catch let error as ProviderError where Self.isNotFound(error) {
            return
        }
    }
}
