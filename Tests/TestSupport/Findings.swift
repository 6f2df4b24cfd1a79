/// Failed checks collected where `#expect` cannot record them (work run off Swift's cooperative pool with `OffPool`,
/// whose thread has no test attached); the test expects the list to be empty.
public struct Findings: Sendable {
    public private(set) var failures: [String] = []

    public init() {}

    /// Notes `message` when `ok` is false.
    public mutating func check(_ ok: Bool, _ message: @autoclosure () -> String) {
        if !ok { failures.append(message()) }
    }
}
