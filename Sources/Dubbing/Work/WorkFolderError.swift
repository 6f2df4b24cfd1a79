import DubSupport
import ProviderAPI
/// A work-folder file that could not be read or written.
public struct WorkFolderError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var reason: String

    public init(path: String, message: String, reason: String) {
        self.path = path
        self.message = message
        self.reason = reason
    }

    public var description: String { "\(message) '\(path)': \(reason)" }
}
