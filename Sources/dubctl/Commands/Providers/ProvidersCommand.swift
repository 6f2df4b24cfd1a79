import ArgumentParser
import Foundation
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

struct ProvidersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "Provider configuration.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which providers are configured (never the keys).",
            discussion: """
            Settings come from the environment, or from a config file of NAME=value lines that only its owner may
            read (chmod 600): $DUB_CONFIG, else ~/.config/dub/providers.env. The environment wins.
            """
        )

        @Flag(help: "JSON output.")
        var json = false

        func run() throws {
            let catalog = ProviderCatalog(settings: try ProviderSettings.load())
            let rows = ProviderCatalog.services.map { service in
                (service, catalog.check(service))
            }
            if json {
                let object: [String: Any] = [
                    "config_file": catalog.settings.configFile as Any? ?? NSNull(),
                    "providers": rows.map { service, checks in
                        ["name": service.name, "provider": service.provider, "roles": service.roles.map(\.rawValue),
                         "configured": checks.allSatisfy(\.set), "missing": checks.filter { !$0.set }.map(\.name)] as [String: Any]
                    },
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print("config file: \(catalog.settings.configFile ?? "none (environment only)")")
            for (service, checks) in rows {
                let missing = checks.filter { !$0.set }.map(\.name)
                let state = missing.isEmpty ? "configured" : "missing \(missing.joined(separator: ", "))"
                let roles = service.roles.map(\.rawValue).joined(separator: ", ")
                print("\(service.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(roles.padding(toLength: 34, withPad: " ", startingAt: 0)) \(state)")
            }
        }
    }
}
