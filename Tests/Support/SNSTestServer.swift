import Foundation
import Glibc
import SluiceCrypto
import Synchronization

/// A tiny blocking HTTPS/1.1 server on 127.0.0.1: one request per connection, answered by `handler`,
/// then closed. Counts requests by path. Threads end within ~50 ms of `stop()`.
public final class SNSTestServer: Sendable {
    public enum Reply: Sendable {
        /// Write these bytes and close.
        case send([UInt8])
        /// Never answer; hold the connection open until the server stops.
        case hang
    }

    public struct Request: Sendable {
        public let head: String
        /// Request target, e.g. `/SimpleNotificationService-abc.pem` or `/?Action=...`.
        public var target: String {
            let line = head.split(separator: "\r\n").first ?? ""
            let parts = line.split(separator: " ")
            return parts.count >= 2 ? String(parts[1]) : ""
        }
        /// Target without the query.
        public var path: String { String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "") }
    }

    public typealias Handler = @Sendable (Request) -> Reply

    public let port: Int
    private let acceptor: LoopbackAcceptor
    private let received = Mutex<[Request]>([])
    private let tls: TLSServerContext
    private let handler: Handler

    public var requests: [Request] { received.withLock { $0 } }
    /// Requests whose path equals `path`.
    public func count(path: String) -> Int { received.withLock { $0.filter { $0.path == path }.count } }
    /// `https://127.0.0.1:PORT`
    public var origin: String { "https://127.0.0.1:\(port)" }

    public init(pki: SNSTestPKI, handler: @escaping Handler) throws {
        tls = try TLSServerContext(certificatePEMFile: pki.path("server.pem"), keyPEMFile: pki.path("server.key"))
        self.handler = handler
        acceptor = try LoopbackAcceptor(backlog: 128)
        port = acceptor.port
        acceptor.start { [self] in serve($0) }
    }

    /// Stops accepting and ends every connection thread within ~50 ms.
    public func stop() { acceptor.stop() }

    private var isStopped: Bool { acceptor.isStopped }

    private func serve(_ fd: Int32) {
        guard let session = try? TLSConnection.accept(socket: fd, context: tls, deadline: .now + .seconds(5)) else { return }
        var buffer: [UInt8] = []
        let terminator: [UInt8] = [13, 10, 13, 10]
        // Bounded: reads until the head is complete, 64 KiB, EOF, error or stop.
        while !isStopped, buffer.count < 64 * 1024 {
            if let end = buffer.indices.dropLast(3).first(where: { buffer[$0..<($0 + 4)].elementsEqual(terminator) }) {
                let request = Request(head: String(decoding: buffer[..<end], as: UTF8.self))
                received.withLock { $0.append(request) }
                switch handler(request) {
                case .send(let bytes):
                    try? session.write(bytes, deadline: .now + .seconds(5))
                    session.shutdown(deadline: .now + .milliseconds(100))
                case .hang:
                    while !isStopped { usleep(20_000) }
                }
                return
            }
            do {
                let bytes = try session.read(maxBytes: 16 * 1024, deadline: .now + .milliseconds(50))
                if bytes.isEmpty { return }
                buffer += bytes
            } catch where error.code == .timeout {
                continue
            } catch {
                return
            }
        }
    }
}

extension SNSTestServer.Reply {
    /// A complete response with Content-Length and `Connection: close`.
    public static func response(_ body: [UInt8], status: String = "200 OK", headers: [String] = []) -> Self {
        let head = (["HTTP/1.1 \(status)", "Content-Length: \(body.count)", "Connection: close"] + headers)
            .joined(separator: "\r\n") + "\r\n\r\n"
        return .send(Array(head.utf8) + body)
    }

    public static func response(_ body: String, status: String = "200 OK", headers: [String] = []) -> Self {
        response(Array(body.utf8), status: status, headers: headers)
    }
}
