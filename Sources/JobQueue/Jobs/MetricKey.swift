/// A metric's name and its labels, rendered in the Prometheus text format with the label values escaped, so a label
/// value (a queue's name, a provider's error code) can never break the exposition.
public struct MetricKey: Hashable, Sendable, Comparable {
    /// The metric's name, e.g. `dub_provider_errors_total`.
    public let name: String
    /// Label names and values, in the order given.
    public let labels: [Label]

    /// One label.
    public struct Label: Hashable, Sendable {
        public let name: String
        public let value: String
    }

    public init(_ name: String, labels: KeyValuePairs<String, String> = [:]) {
        self.name = name
        self.labels = labels.map { Label(name: $0.key, value: $0.value) }
    }

    /// `name{label="value",...}`, or `name` without labels.
    public var rendered: String {
        guard !labels.isEmpty else { return name }
        return name + "{" + labels.map { "\($0.name)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    /// A label value as the text format needs it: backslash, double quote and line feed escaped.
    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    public static func < (a: MetricKey, b: MetricKey) -> Bool { a.rendered < b.rendered }
}
