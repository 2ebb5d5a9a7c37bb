import Foundation
import Glibc

/// One parsed HTTP/1.1 request.
struct HTTPRequest {
    var method: String
    var target: String
    var version: String
    /// Header names lower-cased; repeated headers joined with ", ".
    var headers: [String: String]
    var body: [UInt8]

    var path: String {
        if let q = target.firstIndex(of: "?") { return String(target[..<q]) }
        return target
    }

    var wantsClose: Bool {
        let c = headers["connection"]?.lowercased() ?? ""
        if c.contains("close") { return true }
        return version == "HTTP/1.0" && !c.contains("keep-alive")
    }
}

enum HTTPError: Error {
    case closed
    case malformed(String)
}

/// A blocking client connection on a plain socket. Used by one thread only.
final class Connection {
    let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var isBroken = false

    static let maxHeaderBytes = 256 * 1024
    static let maxBodyBytes = 256 * 1024 * 1024

    init(fd: Int32) {
        self.fd = fd
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    func close() {
        _ = shutdown(fd, Int32(SHUT_RDWR))
        _ = Glibc.close(fd)
    }

    /// Reads more bytes into the buffer; false on EOF or error.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n < 0 && errno == EINTR { continue }
            return false
        }
    }

    private func indexOf(_ pattern: [UInt8], from start: Int = 0) -> Int? {
        guard buffer.count >= pattern.count + start else { return nil }
        var i = start
        let last = buffer.count - pattern.count
        while i <= last {
            if buffer[i] == pattern[0] {
                var ok = true
                for j in 1..<pattern.count where buffer[i + j] != pattern[j] {
                    ok = false
                    break
                }
                if ok { return i }
            }
            i += 1
        }
        return nil
    }

    private static let crlf: [UInt8] = [13, 10]
    private static let crlfcrlf: [UInt8] = [13, 10, 13, 10]

    private func readLine() throws -> String {
        var searchFrom = 0
        while true {
            if let i = indexOf(Self.crlf, from: searchFrom) {
                let line = String(decoding: buffer[0..<i], as: UTF8.self)
                buffer.removeFirst(i + 2)
                return line
            }
            searchFrom = max(0, buffer.count - 1)
            if buffer.count > Self.maxHeaderBytes { throw HTTPError.malformed("line too long") }
            guard fill() else { throw HTTPError.closed }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard fill() else { throw HTTPError.closed }
        }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    /// Reads the next request; throws `.closed` when the peer closed cleanly between requests.
    func readRequest() throws -> HTTPRequest {
        // Skip stray empty lines between requests (RFC 9112 §2.2).
        var requestLine = try readLine()
        while requestLine.isEmpty { requestLine = try readLine() }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/") else {
            throw HTTPError.malformed("bad request line")
        }
        var headers: [String: String] = [:]
        var headerBytes = 0
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            headerBytes += line.utf8.count
            if headerBytes > Self.maxHeaderBytes { throw HTTPError.malformed("headers too large") }
            guard let colon = line.firstIndex(of: ":") else { throw HTTPError.malformed("bad header line") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if let old = headers[name] { headers[name] = old + ", " + value } else { headers[name] = value }
        }
        var request = HTTPRequest(method: parts[0].uppercased(), target: parts[1], version: parts[2],
                                  headers: headers, body: [])
        if request.headers["expect"]?.lowercased() == "100-continue" {
            _ = write("HTTP/1.1 100 Continue\r\n\r\n")
        }
        if let te = headers["transfer-encoding"]?.lowercased(), te.contains("chunked") {
            var body: [UInt8] = []
            while true {
                let sizeLine = try readLine()
                let hex = sizeLine.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                guard let size = Int(hex, radix: 16), size >= 0 else { throw HTTPError.malformed("bad chunk size") }
                if size == 0 {
                    // Trailers until an empty line.
                    while try !readLine().isEmpty {}
                    break
                }
                if body.count + size > Self.maxBodyBytes { throw HTTPError.malformed("body too large") }
                body += try readExactly(size)
                _ = try readExactly(2)
            }
            request.body = body
        } else if let cl = headers["content-length"] {
            guard let length = Int(cl.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""),
                  length >= 0, length <= Self.maxBodyBytes
            else { throw HTTPError.malformed("bad content-length") }
            request.body = try readExactly(length)
        }
        return request
    }

    // MARK: writing

    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        if isBroken { return false }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                isBroken = true
                return false
            }
        }
        return true
    }

    @discardableResult
    func write(_ string: String) -> Bool { write(Array(string.utf8)) }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Payload Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 529: return "Overloaded"
        default: return "Status"
        }
    }

    /// A complete response with Content-Length.
    @discardableResult
    func respond(status: Int, headers: [(String, String)] = [], body: [UInt8], close: Bool, headOnly: Bool = false) -> Bool {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "content-length: \(body.count)\r\n"
        head += close ? "connection: close\r\n" : "connection: keep-alive\r\n"
        head += "\r\n"
        var out = Array(head.utf8)
        if !headOnly { out += body }
        return write(out)
    }

    // MARK: chunked streaming

    @discardableResult
    func startChunked(status: Int, headers: [(String, String)]) -> Bool {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "transfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n"
        return write(head)
    }

    @discardableResult
    func writeChunk(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        var out = Array(String(bytes.count, radix: 16).utf8) + Self.crlf
        out += bytes
        out += Self.crlf
        return write(out)
    }

    @discardableResult
    func endChunked() -> Bool { write("0\r\n\r\n") }

    /// Waits up to `seconds` for the peer; returns false when it closed the connection (or errored).
    func peerStillThere(waitingUpTo seconds: Double) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let r = poll(&p, 1, Int32(seconds * 1000))
        if r < 0 { return errno == EINTR }
        if r == 0 { return true }
        if p.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return false }
        if p.revents & Int16(POLLIN) != 0 {
            // Data or EOF: peek to tell them apart; swallow data (a pipelined request we will never answer).
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, Int32(MSG_PEEK))
            if n <= 0 { return false }
            _ = fill()
        }
        return true
    }
}
