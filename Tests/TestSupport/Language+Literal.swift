import DubSupport

/// Tests write languages as literals (`SynthesisRequest(text: "Hola.", language: "es")`). Only here: production code
/// parses what users give with `try Language(text)`. A literal that does not parse stops the test run; an invalid code
/// under test must go through a variable (`Language("xx")` is the literal `"xx" as Language`).
extension Language: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        do { try self.init(value) } catch { preconditionFailure("not a language: \(value)") }
    }
}
