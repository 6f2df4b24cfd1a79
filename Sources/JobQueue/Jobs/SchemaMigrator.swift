import DubSupport
/// Versioned schema migrations, applied in order under an advisory lock so that several daemons
/// starting at once apply each migration exactly once.
public enum SchemaMigrator {
    /// The newest schema version this program knows.
    public static var latestVersion: Int { migrations.last!.version }

    static let lockKey = "7301142858"

    static let migrations: [(version: Int, sql: String)] = [
        (1, """
        CREATE TABLE dub_jobs (
            id bigserial PRIMARY KEY,
            queue text NOT NULL DEFAULT 'default',
            state text NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled')),
            priority int NOT NULL DEFAULT 0,
            run_at timestamptz NOT NULL DEFAULT now(),
            attempt int NOT NULL DEFAULT 0,
            max_attempts int NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
            dedupe_key text,
            payload jsonb NOT NULL,
            checkpoint jsonb,
            lease_token uuid,
            lease_owner text,
            lease_expires_at timestamptz,
            heartbeat_at timestamptz,
            cancel_requested_at timestamptz,
            errors jsonb NOT NULL DEFAULT '[]'::jsonb,
            usage jsonb,
            result jsonb,
            webhook_url text,
            created_at timestamptz NOT NULL DEFAULT now(),
            started_at timestamptz,
            finished_at timestamptz,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX dub_jobs_claimable ON dub_jobs (queue, priority, run_at, id) WHERE state IN ('queued', 'retrying');
        CREATE INDEX dub_jobs_running ON dub_jobs (lease_expires_at) WHERE state = 'running';
        CREATE INDEX dub_jobs_finished ON dub_jobs (finished_at) WHERE state IN ('succeeded', 'failed', 'cancelled');
        CREATE UNIQUE INDEX dub_jobs_dedupe ON dub_jobs (dedupe_key)
            WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running', 'retrying');
        """),
        // Webhook delivery as an outbox: whichever daemon claims a finished job's webhook sends it; a claim that
        // outlives its sender (killed mid-delivery) expires and another daemon sends it again. Jobs that finished
        // before this version are marked done, so upgrading sends no old reports.
        (2, """
        ALTER TABLE dub_jobs ADD COLUMN webhook_claimed_until timestamptz, ADD COLUMN webhook_done_at timestamptz,
            ADD COLUMN webhook_outcome text;
        UPDATE dub_jobs SET webhook_done_at = coalesce(finished_at, now()), webhook_outcome = 'not sent (finished before schema 2)'
            WHERE webhook_url IS NOT NULL AND state IN ('succeeded', 'failed', 'cancelled');
        CREATE INDEX dub_jobs_webhooks_due ON dub_jobs (finished_at)
            WHERE webhook_url IS NOT NULL AND webhook_done_at IS NULL AND state IN ('succeeded', 'failed', 'cancelled');
        """),
        // What a job writes (its output, as a canonical path without extension), at most one live job per target, so
        // two jobs never write the same file; and when the daemon removed a finished job's work folder.
        (3, """
        ALTER TABLE dub_jobs ADD COLUMN target text, ADD COLUMN work_removed_at timestamptz;
        CREATE UNIQUE INDEX dub_jobs_live_target ON dub_jobs (target)
            WHERE target IS NOT NULL AND state IN ('queued', 'running', 'retrying');
        CREATE INDEX dub_jobs_work_due ON dub_jobs (finished_at)
            WHERE work_removed_at IS NULL AND state IN ('succeeded', 'failed', 'cancelled');
        """),
    ]

    /// Applies every migration the database lacks; returns the versions applied.
    @discardableResult
    public static func migrate(_ database: Database) async throws -> [Int] {
        try await database.query("SELECT pg_advisory_lock(\(lockKey))", context: "migration lock")
        do {
            try await database.query("""
                CREATE TABLE IF NOT EXISTS dub_schema_migrations (
                    version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, context: "migration table")
            let current = try await currentVersion(database)
            guard current <= latestVersion else { throw tooNew(current) }
            var applied: [Int] = []
            for migration in migrations where migration.version > current {
                try await database.transaction { tx in
                    try tx.query(migration.sql, context: "migration \(migration.version)")
                    try tx.query("INSERT INTO dub_schema_migrations (version) VALUES ($1)", ["\(migration.version)"])
                }
                applied.append(migration.version)
            }
            try await database.query("SELECT pg_advisory_unlock(\(lockKey))", context: "migration unlock")
            return applied
        } catch {
            _ = try? await database.query("SELECT pg_advisory_unlock(\(lockKey))")
            throw error
        }
    }

    /// The schema version in the database (0 when none).
    public static func currentVersion(_ database: Database) async throws -> Int {
        let exists = try await database.query("SELECT to_regclass('dub_schema_migrations') IS NOT NULL AS present")
        guard try exists.first?.bool("present") == true else { return 0 }
        let rows = try await database.query("SELECT coalesce(max(version), 0) AS version FROM dub_schema_migrations")
        return try rows.first?.int("version") ?? 0
    }

    /// Throws unless the database has exactly the schema this program knows.
    public static func requireCompatible(_ database: Database) async throws {
        let current = try await currentVersion(database)
        if current > latestVersion { throw tooNew(current) }
        if current < latestVersion {
            throw DatabaseError(.schema, "the database schema is at version \(current), this program needs \(latestVersion); run 'dubctl db migrate'")
        }
    }

    private static func tooNew(_ version: Int) -> DatabaseError {
        DatabaseError(.schema, "the database schema is at version \(version), newer than this program knows (\(latestVersion)); upgrade dub")
    }
}
