import Foundation
import Glibc

/// A blocking HTTP/1.1 exchange over a plain TCP socket to 127.0.0.1, for black-box tests of the binary.
enum RawHTTP {
    struct Response {
        var status: Int
        var head: String
        var body: String
    }

    /// Connects to 127.0.0.1:`port`, from `source` when given (another loopback address, such as
    /// 127.0.0.2, so the server sees a second client); returns the socket or the errno.
    static func connect(port: Int, from source: String? = nil, timeoutSeconds: Int = 60) -> Result<Int32, Errno> {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(Errno(errno)) }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound != 0 {
                let error = errno
                close(fd)
                return .failure(Errno(error))
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let error = errno
            close(fd)
            return .failure(Errno(error))
        }
        // Bounds every blocking send and recv, so a server that stops answering fails the test instead of
        // hanging it.
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return .success(fd)
    }

    /// Writes all of `bytes`; throws with the errno when the socket refuses (or times out).
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Errno(errno) }
            offset += n
        }
    }

    /// Writes `text`, stopping quietly where the peer stops reading (tests of early answers).
    static func send(_ fd: Int32, _ text: String) {
        try? sendAll(fd, Array(text.utf8))
    }

    /// Every byte until the peer closes or the read times out.
    static func readToClose(_ fd: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }

    /// Reads until the peer closes (send requests with `Connection: close`), then closes `fd`.
    static func readAll(_ fd: Int32) -> Response? {
        let data = readToClose(fd)
        close(fd)
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let head = String(text[..<split.lowerBound])
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return Response(status: status, head: head, body: String(text[split.upperBound...]))
    }

    /// One request with `Connection: close`, from `source` when given.
    static func request(
        port: Int, from source: String? = nil, _ method: String, _ target: String, headers: [String: String] = [:], body: String = ""
    ) -> Response? {
        guard case .success(let fd) = connect(port: port, from: source) else { return nil }
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        send(fd, text + "\r\n" + body)
        return readAll(fd)
    }
}

struct Errno: Error, Equatable {
    var code: Int32
    init(_ code: Int32) { self.code = code }
}
