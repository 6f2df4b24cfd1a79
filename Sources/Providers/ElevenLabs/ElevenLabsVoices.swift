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

    /// Every voice in the account's library (premade, cloned, professional), with its labels' gender; ElevenLabs'
    /// voices are multilingual, so the language does not narrow them. dub's own clones (`dub-` names) are left out.
    public func voices(for language: Language) async throws -> [CatalogVoice] {
        try await list(query: "").filter { !$0.name.hasPrefix(VoiceCloning.namePrefix) }
    }

    public func clonedVoices(prefix: String) async throws -> [CatalogVoice] {
        try await list(query: "&category=cloned&search=\(prefix)").filter { $0.name.hasPrefix(prefix) }
    }

    private func list(query: String) async throws -> [CatalogVoice] {
        var result: [CatalogVoice] = []
        var token: String?
        for _ in 0..<Self.maxPages {
            let url = "\(client.baseURL)/v2/voices?page_size=100" + query
                + (token.map { "&next_page_token=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? $0)" } ?? "")
            var request = HTTPRequest(method: "GET", url: url)
            client.timeouts.apply(to: &request)
            let page = try await client.send(request, decoding: Page.self)
            result += page.voices.map { voice in
                let labels = voice.labels ?? [:]
                let gender = labels["gender"].flatMap { CatalogVoice.Gender(rawValue: $0.lowercased()) }
                let note = [voice.category, labels["age"], labels["accent"], labels["description"] ?? voice.description]
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
    }

    public func addVoice(name: String, samples: [String], description: String) async throws -> String {
        var parts = [MultipartPart(name: "name", .text(name)), MultipartPart(name: "description", .text(description)),
                     MultipartPart(name: "remove_background_noise", .text("false")),
                     MultipartPart(name: "labels", .text(#"{"created_by":"dub"}"#))]
        parts += samples.map { MultipartPart(name: "files", .file(path: $0, filename: ($0 as NSString).lastPathComponent, contentType: "audio/wav")) }
        var request = HTTPRequest(url: client.baseURL + "/v1/voices/add", body: .multipart(parts))
        client.timeouts.apply(to: &request)
        let added = try await client.send(request, decoding: Added.self)
        client.meter.record("elevenlabs", ProviderUsage(requests: 1))
        return added.voice_id
    }

    public func deleteVoice(_ id: String) async throws {
        let path = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id
        var request = HTTPRequest(method: "DELETE", url: "\(client.baseURL)/v1/voices/\(path)")
        client.timeouts.apply(to: &request)
        do {
            _ = try await client.send(request)
        } catch let error as ProviderError where error.status == 404 {
            return
        }
    }
}
