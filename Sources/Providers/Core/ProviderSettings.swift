import DubSupport
import ProviderAPI
import Foundation

/// Provider keys and endpoints: from the environment, or from a config file of `NAME=value` lines (the same names
/// as the environment variables, `#` comments allowed). The environment wins over the file. A config file holding
/// keys must not be readable by group or others (`chmod 600`); dub refuses to read one that is.
public struct ProviderSettings: Sendable {
    /// The merged values (file, then environment on top).
    public let values: [String: String]
    /// The config file that was read, if any.
    public let configFile: String?

    /// Where the config file is looked for: `DUB_CONFIG`, else `$XDG_CONFIG_HOME/dub/providers.env`, else
    /// `~/.config/dub/providers.env`.
    public static func defaultConfigPath(environment: [String: String]) -> String {
        if let path = environment["DUB_CONFIG"], !path.isEmpty { return path }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/dub/providers.env"
    }

    public init(values: [String: String], configFile: String? = nil) {
        self.values = values
        self.configFile = configFile
    }

    /// Reads the environment and the config file (absent is fine; `DUB_CONFIG` naming a missing file is not).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ProviderSettings {
        let path = defaultConfigPath(environment: environment)
        var values: [String: String] = [:]
        var used: String?
        if FileManager.default.fileExists(atPath: path) {
            values = try readConfig(path)
            used = path
        } else if environment["DUB_CONFIG"].map({ !$0.isEmpty }) == true {
            throw ProviderError(code: .notConfigured, provider: "config", message: "DUB_CONFIG names \(path), which does not exist")
        }
        for (name, value) in environment where !value.isEmpty { values[name] = value }
        return ProviderSettings(values: values, configFile: used)
    }

    /// Parses a config file after checking that only its owner can read it.
    static func readConfig(_ path: String) throws -> [String: String] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ProviderError(code: .notConfigured, provider: "config", message: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw ProviderError(code: .notConfigured, provider: "config",
                                message: "\(path) is readable by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ProviderError(code: .notConfigured, provider: "config", message: "cannot read \(path) as UTF-8 text")
        }
        var values: [String: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "="), !line[..<equals].isEmpty else {
                throw ProviderError(code: .notConfigured, provider: "config", message: "\(path) line \(number + 1): expected NAME=value")
            }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                value = String(value.dropFirst().dropLast())
            }
            values[line[..<equals].trimmingCharacters(in: .whitespaces)] = value
        }
        return values
    }

    public subscript(name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }
}
