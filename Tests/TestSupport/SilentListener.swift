import Foundation

/// A TCP server on 127.0.0.1 that accepts connections and never reads from them or answers: an upload to it stalls
/// once the socket buffers are full.
public final class SilentListener: @unchecked Sendable {
    public let port: Int
    private let socketFD: Int32
    private var accepted: [Int32] = []
    private let lock = NSLock()

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        socketFD = fd
        let thread = Thread { [self] in
            while true {
                let client = accept(socketFD, nil, nil)
                if client < 0 { return }
                lock.lock(); accepted.append(client); lock.unlock()
            }
        }
        thread.start()
    }

    /// Connections accepted so far.
    public var connections: Int { lock.lock(); defer { lock.unlock() }; return accepted.count }

    public func stop() {
        shutdown(socketFD, Int32(SHUT_RDWR))
        close(socketFD)
        lock.lock(); accepted.forEach { close($0) }; lock.unlock()
    }
}
