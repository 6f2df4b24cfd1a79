import ArgumentParser
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import DubJobs

/// `--database-url`, shared by the commands that talk to the job database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "PostgreSQL URL (default: $DUB_DATABASE_URL, then $DATABASE_URL). A password given here is visible to other users in the process list: prefer the environment.")
    var url: String?

    /// The connection, or a usage error when no URL is configured.
    func database() throws -> Database {
        guard let url = url ?? Database.urlFromEnvironment() else {
            throw ValidationError("no database configured: pass --database-url or set DUB_DATABASE_URL")
        }
        var configuration = Database.Configuration(url: url)
        configuration.reconnectAttempts = 3
        return Database(configuration)
    }

    /// The queue, after checking the schema matches this program.
    func queue() async throws -> JobQueue<DubJob> {
        let database = try database()
        try await SchemaMigrator.requireCompatible(database)
        return JobQueue(database: database)
    }
}
