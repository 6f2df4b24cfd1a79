import AudioKitCore
import DubSupport
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// The account's voices at the ElevenLabs fake: the premade ones (with labels as `GET /v2/voices` gives them) and the
/// voices cloned by `POST /v1/voices/add`, with the pitch heard in each clone's samples (so a test can check each
/// speaker was cloned from their own speech).
public final class FakeVoiceLibrary: Sendable {
    /// A voice made by `add`.
    public struct Clone: Sendable {
        public var id: String
        public var name: String
        /// The median pitch of the uploaded speech, in Hz.
        public var pitch: Double
        public var seconds: Double
        public var deleted: Bool
        /// The labels it was uploaded with.
        public var labels: [String: String]
    }

    /// Premade voices: id, name, gender, age, accent.
    static let premade: [(String, String, String, String, String)] = [
        ("21m00Tcm4TlvDq8ikWAM", "Rachel", "female", "young", "american"), ("EXAVITQu4vr4xnSDxMaL", "Sarah", "female", "young", "american"),
        ("pNInz6obpgDQGcFmaJgB", "Adam", "male", "middle_aged", "american"), ("ErXwobaYiN019PkySvjV", "Antoni", "male", "young", "american"),
        ("AZnzlk1XvdvUeBnXmlld", "Domi", "female", "young", "american"), ("TxGEqnHWrfWFTfGW9XjX", "Josh", "male", "young", "american"),
    ]

    private let clones = Mutex<[Clone]>([])

    /// Every clone made, deleted ones included, in order.
    public var all: [Clone] { clones.withLock { $0 } }

    func exists(_ id: String) -> Bool {
        ElevenLabsFake.voices.contains(id) || clones.withLock { $0.contains { $0.id == id && !$0.deleted } }
    }

    /// Adds a cloned voice (as `POST /v1/voices/add` does, or as a test puts one of the user's own in the library).
    @discardableResult
    public func add(name: String, pitch: Double, seconds: Double, labels: [String: String] = [:]) -> String {
        let id = String((0..<20).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()! })
        clones.withLock { $0.append(Clone(id: id, name: name, pitch: pitch, seconds: seconds, deleted: false, labels: labels)) }
        return id
    }

    func delete(_ id: String) -> Bool {
        clones.withLock { clones in
            guard let index = clones.firstIndex(where: { $0.id == id && !$0.deleted }) else { return false }
            clones[index].deleted = true
            return true
        }
    }

    /// The library as `GET /v2/voices` voices, premade first.
    func listed() -> [[String: Any]] {
        let premade: [[String: Any]] = Self.premade.map { id, name, gender, age, accent in
            ["voice_id": id, "name": name, "category": "premade", "description": NSNull(),
             "labels": ["gender": gender, "age": age, "accent": accent, "use_case": "narration"], "is_owner": false]
        }
        let cloned: [[String: Any]] = all.filter { !$0.deleted }.map { clone in
            ["voice_id": clone.id, "name": clone.name, "category": "cloned", "description": "cloned", "labels": clone.labels, "is_owner": true]
        }
        return premade + cloned
    }
}

extension ElevenLabsFake {
    /// `GET /v2/voices`, `POST /v1/voices/add` and `DELETE /v1/voices/{voice_id}` (elevenlabs-python `voices/raw_client.py`,
    /// `voices/ivc/raw_client.py`; openapi.json `Body_Add_voice_v1_voices_add_post`), and `GET /v1/voices/{voice_id}` (one
    /// voice, 404 `voice_not_found` when there is none): `page_size` 1–100 (default 10) with
    /// `next_page_token` and `has_more`, `category` and `search` filters; add-voice requires `name` and one or more
    /// `files` parts, `labels` a serialized JSON object, and answers `{voice_id, requires_verification}`; delete answers
    /// `{"status":"ok"}`. The fake also refuses samples that hold two voices (pitch clusters far apart) or no voice.
    static func registerVoices(on router: Router<BasicRequestContext>, control: FakeControl) {
        router.get("v2/voices") { request, _ -> Response in
            if let early = try await gate(request, control) { return early }
            let query = request.uri.queryParameters
            let size = query.get("page_size").map { Int($0) ?? -1 } ?? 10
            guard (1...100).contains(size) else { return invalid(["query", "page_size"], "ensure this value is between 1 and 100", "value_error.number") }
            var voices = control.library.listed()
            if let category = query.get("category") { voices = voices.filter { $0["category"] as? String == category } }
            if let search = query.get("search")?.lowercased(), !search.isEmpty {
                voices = voices.filter { ($0["name"] as? String ?? "").lowercased().contains(search) }
            }
            let offset = query.get("next_page_token").flatMap { Int($0) } ?? 0
            let page = Array(voices.dropFirst(offset).prefix(size))
            let more = offset + size < voices.count
            return FakeReply.json(200, ["voices": page, "has_more": more, "total_count": voices.count,
                                        "next_page_token": more ? "\(offset + size)" as Any : NSNull()])
        }
        router.post("v1/voices/add") { request, _ -> Response in
            if let early = try await gate(request, control) { return early }
            let body = Array(buffer: try await request.body.collect(upTo: 64 << 20))
            guard let form = await MultipartBody.parse(contentType: request.headers[.contentType], body: body) else {
                return invalid(["body"], "Could not parse the multipart body", "value_error")
            }
            guard let name = form["name"]?.text, !name.isEmpty else { return invalid(["body", "name"], "field required", "value_error.missing") }
            let files = form.parts.filter { $0.name == "files" }
            guard !files.isEmpty, files.allSatisfy({ $0.filename != nil }) else { return invalid(["body", "files"], "field required", "value_error.missing") }
            var labels: [String: String] = [:]
            if let text = form["labels"]?.text {
                guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    return invalid(["body", "labels"], "labels must be a serialized JSON object", "value_error")
                }
                labels = object.compactMapValues { $0 as? String }
            }
            var pitches: [Double] = []
            var seconds = 0.0
            for file in files {
                guard let (samples, rate) = decodeMono(file.data, filename: file.filename ?? "sample") else {
                    return detail(400, "invalid_content", "The uploaded file \(file.filename ?? "") could not be decoded as audio.")
                }
                seconds += Double(samples.count) / Double(rate)
                pitches += await FakeWork.offPool { FakeVoices.pitchTrack(samples, sampleRate: rate) }
            }
            guard pitches.count >= 10 else { return detail(400, "voice_too_short", "The samples hold too little speech to clone a voice.") }
            pitches.sort()
            let low = pitches.filter { $0 < 150 }.count, high = pitches.filter { $0 > 170 }.count
            if min(low, high) * 4 >= pitches.count {
                return detail(400, "multiple_speakers", "The samples appear to hold more than one voice: upload one speaker's speech.")
            }
            let id = control.library.add(name: name, pitch: pitches[pitches.count / 2], seconds: seconds, labels: labels)
            return FakeReply.json(200, ["voice_id": id, "requires_verification": false])
        }
        router.get("v1/voices/:voice") { request, context -> Response in
            if let early = try await gate(request, control) { return early }
            let voice = context.parameters.get("voice") ?? ""
            guard let listed = control.library.listed().first(where: { $0["voice_id"] as? String == voice }) else {
                return detail(404, "voice_not_found", "A voice with the voice_id \(voice) was not found.")
            }
            return FakeReply.json(200, listed)
        }
        router.delete("v1/voices/:voice") { request, context -> Response in
            if let early = try await gate(request, control) { return early }
            let voice = context.parameters.get("voice") ?? ""
            guard control.library.delete(voice) || ElevenLabsFake.voices.contains(voice) else {
                return detail(404, "voice_not_found", "A voice with the voice_id \(voice) was not found.")
            }
            return FakeReply.json(200, ["status": "ok"])
        }
    }
}

extension FakeVoices {
    /// The pitch (Hz, 70–400) of each loud, clearly pitched 64 ms window of speech at 8 kHz (`autocorrelationPitch`):
    /// the fake's way to hear who is speaking in an upload.
    static func pitchTrack(_ samples: [Float], sampleRate: Int) -> [Double] {
        let step = max(1, sampleRate / 8_000)
        let x = stride(from: 0, to: samples.count, by: step).map { samples[$0] }
        let rate = sampleRate / step, size = 512, maxLag = rate / 70
        let windows = stride(from: 0, to: max(0, x.count - size - maxLag), by: size).map { Array(x[$0..<($0 + size + maxLag)]) }
        let energies = windows.map { w in w.prefix(size).reduce(Float(0)) { $0 + $1 * $1 } }
        guard let loudest = energies.max(), loudest > 0 else { return [] }
        return zip(windows, energies).compactMap { window, energy in
            energy > loudest / 30 ? autocorrelationPitch(window, sampleRate: rate, range: 70...400, threshold: 0.6) : nil
        }
    }
}
