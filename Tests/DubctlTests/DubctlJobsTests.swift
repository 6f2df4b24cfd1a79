import Foundation
import TestSupport
import Testing

@Suite("dubctl db and jobs against a real PostgreSQL", .tags(.database, .endToEnd))
struct DubctlJobsTests {
    private func dubctl(_ args: [String], url: String) async throws -> CommandRunner.Result {
        try await CommandRunner.run("dubctl", args + ["--database-url", url])
    }

    @Test("migrate, submit, list, show, cancel, retry, stats, prune")
    func lifecycle() async throws {
        let url = try PostgresServer.shared.get().createDatabase()
        let missing = try await dubctl(["jobs", "list"], url: url)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("dubctl db migrate"))

        #expect(try await dubctl(["db", "migrate"], url: url).stdout.contains("applied migration"))
        #expect(try await dubctl(["db", "migrate"], url: url).stdout.contains("up to date"))

        let submit = try await dubctl(["jobs", "submit", "samples/english.mp4", "--to", "es", "-o", "out/english.es.mp4",
                                 "--dedupe-key", "english-es", "--priority", "3", "--json"], url: url)
        #expect(submit.status == 0, "\(submit.stderr)")
        let created = try JSONSerialization.jsonObject(with: Data(submit.stdout.utf8)) as? [String: Any]
        let id = try #require(created?["id"] as? Int)
        #expect(created?["existing"] as? Bool == false)
        let again = try await dubctl(["jobs", "submit", "samples/english.mp4", "--to", "es", "-o", "x.mp4", "--dedupe-key", "english-es"], url: url)
        #expect(again.stdout.contains("already queued"))
        // Another job writing the same files (the same output, or the same name in another container, which shares the
        // sidecar subtitles) is refused while the first is live.
        for output in ["out/english.es.mp4", "out/english.es.mkv", "out/english.mp4"] {
            let clash = try await dubctl(["jobs", "submit", "samples/english.mp4", "--to", "es", "-o", output], url: url)
            #expect(clash.status == 1 && clash.stderr.contains("job \(id) (queued) already writes"), "\(output): \(clash.stderr)")
        }

        let list = try await dubctl(["jobs", "list", "--json"], url: url)
        let jobs = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(jobs.count == 1)
        #expect(jobs.first?["state"] as? String == "queued")
        let request = jobs.first?["request"] as? [String: Any]
        #expect((request?["input"] as? String)?.hasPrefix("/") == true)
        #expect(request?["to"] as? String == "es")

        #expect(try await dubctl(["jobs", "show", "\(id)"], url: url).stdout.contains("queued"))
        #expect(try await dubctl(["jobs", "cancel", "\(id)"], url: url).stdout.contains("cancelled"))
        #expect(try await dubctl(["jobs", "cancel", "\(id)"], url: url).stdout.contains("already finished"))
        // Cancelled, it no longer holds its output: another job may take it, and then the first cannot be retried.
        let taker = try await dubctl(["jobs", "submit", "samples/english.mp4", "--to", "es", "-o", "out/english.es.mp4", "--json"], url: url)
        let takerID = try #require((try JSONSerialization.jsonObject(with: Data(taker.stdout.utf8)) as? [String: Any])?["id"] as? Int, "\(taker.stderr)")
        let blocked = try await dubctl(["jobs", "retry", "\(id)"], url: url)
        #expect(blocked.status == 1 && blocked.stderr.contains("job \(takerID) (queued) already writes"), "\(blocked.stderr)")
        #expect(try await dubctl(["jobs", "cancel", "\(takerID)"], url: url).status == 0)
        #expect(try await dubctl(["jobs", "retry", "\(id)"], url: url).stdout.contains("queued again"))
        let stats = try await dubctl(["jobs", "stats", "--json"], url: url)
        #expect(stats.stdout.contains("\"queued\" : 1") && stats.stdout.contains("\"cancelled\" : 1"))
        #expect(try await dubctl(["jobs", "prune", "--older-than", "0"], url: url).stdout.contains("deleted 1 finished job"))

        let unknown = try await dubctl(["jobs", "show", "999999"], url: url)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no job 999999"))
    }

    @Test("no database configured is a usage error; an unreachable one a clear runtime error")
    func configuration() async throws {
        let none = try await CommandRunner.run("dubctl", ["jobs", "list"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("DUB_DATABASE_URL"))
        let down = try await CommandRunner.run("dubctl", ["jobs", "list", "--database-url", "postgresql://u:secret@127.0.0.1:1/x?connect_timeout=1"])
        #expect(down.status == 1)
        #expect(down.stderr.hasPrefix("dubctl: error: database connection error"))
        #expect(!down.stderr.contains("secret"))
    }
}
