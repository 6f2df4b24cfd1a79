import AudioKitCore
import DubSupport
import Dubbing
import DubJobs
import JobQueue
import ProviderAPI
import Providers

/// Runs a queued `DubRequest` through the pipeline in a work folder under the data root named after the
/// job, saving the current stage as the job's checkpoint so a retry on any daemon resumes there.
struct PipelineJobHandler: JobHandler {
    public let dataRoot: String
    public let metrics: WorkerMetrics
    /// Provider settings; nil reads the environment and config file for every job (so rotated keys are picked up).
    public let settings: ProviderSettings?

    public init(dataRoot: String, metrics: WorkerMetrics, settings: ProviderSettings? = nil) {
        self.dataRoot = dataRoot
        self.metrics = metrics
        self.settings = settings
    }

    public func run(_ job: JobContext<DubJob>) async throws -> JobOutput<DubJob> {
        let request = job.lease.payload
        _ = try request.resolve()
        guard request.work == nil else {
            throw JobFailure(code: "bad_request", message: "a job cannot name its work folder (it is always under dubd's --data-root)", permanent: true)
        }
        let workPath = WorkFolder.jobPath(dataRoot: dataRoot, job: job.lease.jobId)
        let providers = ProviderCatalog(settings: try settings ?? ProviderSettings.load(), logger: job.logger)
        var pipeline = try DubPipeline(request: request, providers: providers, work: try WorkFolder(root: workPath))
        pipeline.onWarning = { warning in job.logger.warning("\(warning)") }
        let metrics = metrics
        pipeline.onStage = { stage in
            metrics.add("dub_stage_started_total", labels: ["stage": stage])
            if (try? await job.checkpoint(DubJob.Checkpoint(stage: stage, work: workPath))) == false {
                job.logger.warning("lease lost while saving the checkpoint")
            }
            job.logger.info("stage started", metadata: ["stage": "\(stage)"])
        }
        let report: DubReport
        do {
            report = try await pipeline.run()
        } catch let error as ProviderError {
            metrics.add("dub_provider_errors_total", labels: ["provider": error.provider, "code": error.code.rawValue])
            throw error
        }
        for (stage, seconds) in report.stageSeconds { metrics.add("dub_stage_seconds_total", labels: ["stage": stage], seconds) }
        for (provider, used) in report.usage {
            metrics.add("dub_provider_audio_seconds_total", labels: ["provider": provider], used.audioSeconds)
            metrics.add("dub_provider_tokens_total", labels: ["provider": provider], Double(used.promptTokens + used.completionTokens))
            metrics.add("dub_provider_characters_total", labels: ["provider": provider], Double(used.characters))
            metrics.add("dub_provider_requests_total", labels: ["provider": provider], Double(used.requests))
        }
        return JobOutput(result: report, usage: report.usage)
    }
}
