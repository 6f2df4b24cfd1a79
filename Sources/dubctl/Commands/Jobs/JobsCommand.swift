import ArgumentParser
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Submit and manage queued dubbing jobs (run by dubd).",
        discussion: """
        Jobs live in PostgreSQL (--database-url or $DUB_DATABASE_URL); run 'dubctl db migrate' once first.
        Example:
          dubctl jobs submit /data/in/talk.mp4 --to es -o /data/out/talk.es.mp4 --subtitles /data/in/talk.es.srt
          dubctl jobs list --state running
        """,
        subcommands: [JobsSubmit.self, JobsList.self, JobsShow.self, JobsCancel.self, JobsRetry.self, JobsRedo.self, JobsStats.self, JobsPrune.self]
    )
}
