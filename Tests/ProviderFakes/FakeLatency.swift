import Hummingbird

/// Answers every request `FakeControl.latency` seconds after it arrived, its handling included: a provider whose
/// answers take a fixed time, however long the fake itself spends making them. (Delaying before the handler instead
/// added the fake's own work, generating audio say, to every answer, and a benchmark counted it as the client's.)
struct FakeLatency<Context: RequestContext>: RouterMiddleware {
    let control: FakeControl

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let latency = control.latency
        guard latency > 0 else { return try await next(request, context) }
        let answerAt = ContinuousClock.now + .milliseconds(Int(latency * 1000))
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try await Task.sleep(until: answerAt)
            throw error
        }
        try await Task.sleep(until: answerAt)
        return response
    }
}
