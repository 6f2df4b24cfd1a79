import ArgumentParser
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the job database.",
        subcommands: [Migrate.self]
    )

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or upgrade the job tables (safe to run from several machines at once).",
            discussion: "Example:\n  DUB_DATABASE_URL=postgresql://dub@db.internal/dub dubctl db migrate"
        )

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let db = try database.database()
            let applied = try await SchemaMigrator.migrate(db)
            if applied.isEmpty {
                print("schema is up to date (version \(SchemaMigrator.latestVersion))")
            } else {
                print("applied migration(s) \(applied.map(String.init).joined(separator: ", ")); schema is at version \(SchemaMigrator.latestVersion)")
            }
        }
    }
}
