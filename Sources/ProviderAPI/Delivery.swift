/// How a line is said, as the translator reads it from the source and its context: a note the speech engines that
/// take one act on (OpenAI `instructions`, CLOVA Voice `emotion`, espeak-ng's pitch and rate).
public enum Delivery: String, Sendable, Codable, CaseIterable {
    case neutral, calm, excited, happy, sad, angry, whispering, shouting, question
}
