import Foundation
import ProviderFakes

// Runs the provider fakes by hand: `dub-fake-providers [--latency SECONDS] [--translation-expansion SHARE]`. Prints the base URL and the OpenAI key on
// the first line, then `export NAME=value` lines that point every provider at the fake; serves until killed.
var latency = 0.0
let arguments = CommandLine.arguments
if let index = arguments.firstIndex(of: "--latency"), index + 1 < arguments.count, let value = Double(arguments[index + 1]) {
    latency = value
}
let server = try await FakeProviderServer.start()
server.control.latency = latency
if let index = arguments.firstIndex(of: "--translation-expansion"), index + 1 < arguments.count, let value = Double(arguments[index + 1]) {
    server.control.translationExpansion = value
}
let exports = server.environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\($0.value)\n" }.joined()
FileHandle.standardOutput.write(Data("\(server.baseURL) key=\(FakeProviderServer.openAIKey)\n\(exports)".utf8))
while true { try await Task.sleep(for: .seconds(3600)) }
