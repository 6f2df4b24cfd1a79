/// A translated line, and how to say it when the translator tells.
public struct Translation: Sendable, Equatable, Codable {
    /// The words to say.
    public var text: String
    /// How to say them, when the translator tells.
    public var delivery: Delivery?

    /// A translation of `text`, said with `delivery`.
    public init(text: String, delivery: Delivery? = nil) {
        self.text = text
        self.delivery = delivery
    }
}
