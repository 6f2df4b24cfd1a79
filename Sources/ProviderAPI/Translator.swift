import DubSupport

/// One line to translate.
public struct TranslationLine: Sendable, Equatable, Codable {
    public var id: Int
    public var text: String
    /// The most characters (syllables for Korean, Japanese and Chinese) the translation may have to fit its
    /// time slot; nil when there is no limit.
    public var budget: Int?

    public init(id: Int, text: String, budget: Int? = nil) {
        self.id = id
        self.text = text
        self.budget = budget
    }
}

/// A batch of lines to translate, with context.
public struct TranslationRequest: Sendable, Equatable, Codable {
    public var lines: [TranslationLine]
    /// Source language, or nil when unknown.
    public var source: Language?
    /// Target language.
    public var target: Language
    /// Lines around the batch, for context only (not translated).
    public var before: [String]
    public var after: [String]
    /// Terms that must be translated a fixed way (source → target): only those that occur in `lines`.
    public var glossary: [String: String]

    public init(lines: [TranslationLine], source: Language?, target: Language, before: [String] = [], after: [String] = [],
                glossary: [String: String] = [:]) {
        self.lines = lines
        self.source = source
        self.target = target
        self.before = before
        self.after = after
        self.glossary = Self.entries(glossary, occurringIn: lines.map(\.text))
    }
}

/// A machine translator the pipeline can use. It returns exactly one non-empty translation per line id.
public protocol Translator: Sendable {
    /// The provider and model, part of every cache key (e.g. `openai-gpt-4o-mini`, `papago`).
    var name: String { get }
    /// Whether the translator follows the per-line budgets (an LLM can; Papago cannot).
    var followsBudgets: Bool { get }
    /// Translations keyed by line id, one for every line in the request.
    func translate(_ request: TranslationRequest) async throws -> [Int: String]
    /// The same with each line's delivery note, from translators that give one (the others: none).
    func translations(_ request: TranslationRequest) async throws -> [Int: Translation]
}

extension Translator {
    public func translations(_ request: TranslationRequest) async throws -> [Int: Translation] {
        try await translate(request).mapValues { Translation(text: $0) }
    }
}

extension TranslationRequest {
    /// The entries whose source term occurs in `texts` (case-insensitively): only those go with a batch.
    public static func entries(_ glossary: [String: String], occurringIn texts: [String]) -> [String: String] {
        guard !glossary.isEmpty else { return [:] }
        let haystack = texts.joined(separator: "\n").lowercased()
        return glossary.filter { haystack.contains($0.key.lowercased()) }
    }
}
