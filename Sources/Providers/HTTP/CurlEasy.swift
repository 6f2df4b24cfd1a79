import DubSupport
import ProviderAPI
import CCurl
import Foundation

/// The one owner of a curl easy handle; performs one request on the calling (dedicated) thread.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var resolveList: UnsafeMutablePointer<curl_slist>?
    private var mime: OpaquePointer?

    /// Response bytes and headers gathered by the callbacks.
    final class Sink {
        var body: [UInt8] = []
        var headers = HTTPHeaders()
        var status = 0
        /// Where a 2xx body goes when the request streams to a file.
        var file: UnsafeMutablePointer<FILE>?
        var writeFailed = false
        var tooLarge = false
        var maxBody = Int.max
        var maxFile = Int64.max
        var fileBytes: Int64 = 0
        var cancelled: @Sendable () -> Bool = { false }
        /// Stall detection: the byte counts last seen and when they last moved (monotonic seconds).
        var stallLimit = 60.0
        var uploaded = 0, downloaded = 0
        var lastMovement = Sink.now()
        var stalled: String?

        /// Called by curl about once a second and whenever data moves: returns false to abort the transfer.
        func progress(downloaded dlnow: Int, uploadTotal ultotal: Int, uploaded ulnow: Int) -> Bool {
            if cancelled() { return false }
            let now = Sink.now()
            if dlnow != downloaded || ulnow != uploaded {
                downloaded = dlnow
                uploaded = ulnow
                lastMovement = now
                return true
            }
            let quiet = now - lastMovement
            guard quiet >= stallLimit else { return true }
            if ultotal > 0 && ulnow < ultotal {
                stalled = "no upload progress for \(Int(quiet)) s (\(ulnow) of \(ultotal) bytes sent)"
                return false
            }
            if status != 0 && dlnow > 0 {
                stalled = "the answer stopped for \(Int(quiet)) s after \(dlnow) bytes"
                return false
            }
            // Upload done, no answer yet: the server is thinking, which only the request's deadline limits.
            return true
        }

        static func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }

        func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            if let file, (200..<300).contains(status) {
                fileBytes += Int64(bytes.count)
                if fileBytes > maxFile { tooLarge = true; return false }
                if fwrite(bytes.baseAddress, 1, bytes.count, file) != bytes.count { writeFailed = true; return false }
            } else {
                if body.count + bytes.count > maxBody { tooLarge = true; return false }
                body.append(contentsOf: bytes)
            }
            return true
        }
    }

    init() throws {
        CurlGlobal.initialize()
        guard let handle = curl_easy_init() else {
            throw ProviderError(code: .transport, provider: "http", message: "curl_easy_init failed")
        }
        self.handle = handle
    }

    deinit {
        if let mime { curl_mime_free(mime) }
        curl_slist_free_all(headerList)
        curl_slist_free_all(resolveList)
        curl_easy_cleanup(handle)
    }

    /// Performs `request`, blocking; returns the status, headers and body. `provider` names the provider in errors.
    func perform(_ request: HTTPRequest, provider: String, cancelled: @escaping @Sendable () -> Bool) throws -> HTTPResponse {
        let sink = Sink()
        sink.cancelled = cancelled
        sink.maxBody = request.maxResponseBytes
        sink.maxFile = request.maxFileBytes
        sink.stallLimit = request.stallTimeout
        if let path = request.responseFile {
            guard let file = fopen(path, "wb") else {
                throw ProviderError(code: .transport, provider: provider, message: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            sink.file = file
        }
        defer { if let file = sink.file { fclose(file) } }
        try configure(request, provider: provider)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        _ = dub_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = dub_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)
        _ = dub_curl_set_pointer(handle, CURLOPT_XFERINFODATA, context)
        _ = dub_curl_set_write_function(handle) { data, size, count, user in
            let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            let ok = data!.withMemoryRebound(to: UInt8.self, capacity: n) { sink.append(UnsafeBufferPointer(start: $0, count: n)) }
            return ok ? n : 0
        }
        _ = dub_curl_set_header_function(handle) { data, size, count, user in
            let sink = Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            let line = data!.withMemoryRebound(to: UInt8.self, capacity: n) {
                String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
            }
            if line.hasPrefix("HTTP/") { // a new response (e.g. after 100 Continue)
                sink.headers = HTTPHeaders()
                sink.status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            }
            sink.headers.addRawLine(line)
            return n
        }
        _ = dub_curl_set_xferinfo_function(handle) { user, _, dlnow, ultotal, ulnow in
            Unmanaged<Sink>.fromOpaque(user!).takeUnretainedValue().progress(downloaded: dlnow, uploadTotal: ultotal, uploaded: ulnow) ? 0 : 1
        }
        _ = dub_curl_set_long(handle, CURLOPT_NOPROGRESS, 0)

        let rc = curl_easy_perform(handle)
        if rc != CURLE_OK {
            let text = String(cString: curl_easy_strerror(rc))
            switch rc {
            case CURLE_ABORTED_BY_CALLBACK where sink.stalled != nil:
                throw ProviderError(code: .timeout, provider: provider, message: "stalled: \(sink.stalled ?? "")")
            case CURLE_ABORTED_BY_CALLBACK:
                throw ProviderError(code: .cancelled, provider: provider, message: "request cancelled")
            case CURLE_WRITE_ERROR where sink.tooLarge:
                throw ProviderError(code: .tooLarge, provider: provider,
                                    message: "the answer is larger than the \(sink.file == nil ? request.maxResponseBytes : Int(request.maxFileBytes)) bytes allowed")
            case CURLE_WRITE_ERROR where sink.writeFailed:
                throw ProviderError(code: .transport, provider: provider, message: "cannot write \(request.responseFile ?? "the response"): disk full?")
            case CURLE_OPERATION_TIMEDOUT:
                throw ProviderError(code: .timeout, provider: provider, message: "no complete answer within the \(Int(request.totalTimeout)) s deadline (\(text))")
            default:
                throw ProviderError(code: .transport, provider: provider, message: "transport error: \(text)")
            }
        }
        var status = 0
        _ = dub_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    private func configure(_ request: HTTPRequest, provider: String) throws {
        _ = dub_curl_set_string(handle, CURLOPT_URL, request.url)
        _ = dub_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        if !request.pinnedAddresses.isEmpty {
            for entry in request.pinnedAddresses { resolveList = curl_slist_append(resolveList, entry) }
            _ = dub_curl_set_slist(handle, CURLOPT_RESOLVE, resolveList)
        }
        _ = dub_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = dub_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout * 1000))
        _ = dub_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(request.totalTimeout * 1000))
        _ = dub_curl_set_long(handle, CURLOPT_HTTP_VERSION, dub_curl_http_version_2tls())
        _ = dub_curl_set_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        _ = dub_curl_set_string(handle, CURLOPT_USERAGENT, "dub/1 (libcurl)")
        _ = dub_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        if request.method == "GET" { _ = dub_curl_set_long(handle, CURLOPT_HTTPGET, 1) }

        var lines = (request.headers.fields + request.secretHeaders.fields).map { "\($0.name): \($0.value)" }
        lines.append("Expect:")
        switch request.body {
        case .none:
            break
        case .bytes(let bytes, let contentType):
            lines.append("Content-Type: \(contentType)")
            _ = dub_curl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            _ = bytes.withUnsafeBufferPointer { buffer in
                // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
                dub_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
        case .multipart(let parts):
            let mime = curl_mime_init(handle)
            self.mime = mime
            for part in parts {
                let field = curl_mime_addpart(mime)
                curl_mime_name(field, part.name)
                switch part.content {
                case .text(let text):
                    curl_mime_data(field, text, text.utf8.count)
                case .file(let path, let filename, let contentType):
                    if curl_mime_filedata(field, path) != CURLE_OK {
                        throw ProviderError(code: .transport, provider: provider, message: "cannot read \(path)")
                    }
                    curl_mime_filename(field, filename)
                    curl_mime_type(field, contentType)
                }
            }
            _ = dub_curl_set_pointer(handle, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(mime))
        }
        for line in lines { headerList = curl_slist_append(headerList, line) }
        _ = dub_curl_set_slist(handle, CURLOPT_HTTPHEADER, headerList)
    }
}

/// `curl_global_init` exactly once per process.
enum CurlGlobal {
    private static let done: Bool = {
        curl_global_init(dub_curl_global_all()) == CURLE_OK
    }()
    static func initialize() { _ = done }
}
