import DubSupport
import FoundationEssentials
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Writes one JSON object per line to standard error: time, level, label, message and metadata
/// (job id, stage, attempt, ...).
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        log(level: event.level, message: event.message, metadata: event.metadata)
    }

    private func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?) {
        var fields: [String: String] = [
            "time": Date().formatted(.iso8601), "level": level.rawValue, "label": label, "message": message.description,
        ]
        for (key, value) in metadata.merging(extra ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(fields) else { return }
        let text = String(decoding: data, as: UTF8.self) + "\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}
