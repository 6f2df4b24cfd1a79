import Foundation
import ProviderFakes

// Runs the provider fakes by hand: `dub-fake-providers [--latency SECONDS]`; prints the base URL, serves until killed.
var latency = 0.0
let arguments = CommandLine.arguments
if let index = arguments.firstIndex(of: "--latency"), index + 1 < arguments.count, let value = Double(arguments[index + 1]) {
    latency = value
}
let server = try await FakeProviderServer.start()
server.control.latency = latency
FileHandle.standardOutput.write(Data("\(server.baseURL) key=\(FakeProviderServer.openAIKey)\n".utf8))
while true { try await Task.sleep(for: .seconds(3600)) }
