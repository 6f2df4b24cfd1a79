import DubSupport
import Dubbing
import FoundationEssentials

/// Paths as the commands need them: absolute for what travels to other machines or outlives a change of directory.
enum Paths {
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Moves to the directory `dubctl dub` ran in, where `request`'s relative paths hold (`lines redo`, `stage`).
    static func enterDirectory(of request: DubRequest) throws {
        if let directory = request.directory, !FileManager.default.changeCurrentDirectoryPath(directory) {
            throw MediaError(.invalidArgument, "cannot go to the folder the dub ran in (its request has paths relative to it)", path: directory)
        }
    }
}
