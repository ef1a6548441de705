import Foundation
import SluiceTestSupport
import Glibc
import SluiceCrypto
import Synchronization

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 (plain or TLS) that serves canned replies.
/// Each accepted connection gets its own thread; everything stops on `stop()`.
final class ClientTestServer: Sendable {
    /// What the server does with one parsed request.
    enum Reply: Sendable {
        /// Write these bytes, then keep reading requests unless `close`.
        case send([UInt8], close: Bool)
        /// Write these bytes, then close the socket without a TLS close_notify: what a truncating attacker's
        /// FIN looks like (over plain TCP, the same as `send(_, close: true)`).
        case sendAndCut([UInt8])
        /// Never answer; hold the connection open until the server stops.
        case hang
        /// Close the connection at once without answering (a keep-alive socket the server dropped).
        case drop
    }

    struct Request: Sendable {
        /// 0-based arrival order across all connections.
        var index = 0
        let head: String
        let body: [UInt8]
        var requestLine: Substring { head.split(separator: "\r\n").first ?? "" }

        func header(_ name: String) -> String? {
            for line in head.split(separator: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    typealias Handler = @Sendable (Request) -> Reply

    let port: Int
    private let acceptor: LoopbackAcceptor
    private let state = Mutex<(connections: Int, requests: [Request], handshakeFailures: Int)>((0, [], 0))
    private let tls: TLSServerContext?
    private let handler: Handler

    var connectionCount: Int { state.withLock { $0.connections } }
    var requests: [Request] { state.withLock { $0.requests } }

    init(tls: TLSServerContext? = nil, handler: @escaping Handler) throws {
        self.tls = tls
        self.handler = handler
        acceptor = try LoopbackAcceptor(backlog: 16)
        port = acceptor.port
        acceptor.start(onAccept: { [self] in state.withLock { $0.connections += 1 } }, serve: { [self] in serve($0) })
    }

    /// Stops accepting and ends every connection thread within ~50 ms.
    func stop() { acceptor.stop() }

    private var isStopped: Bool { acceptor.isStopped }

    // MARK: One connection

    private func serve(_ fd: Int32) {
        var session: TLSConnection?
        if let tls {
            do {
                session = try TLSConnection.accept(socket: fd, context: tls, deadline: .now + .seconds(5))
            } catch {
                state.withLock { $0.handshakeFailures += 1 }
                return
            }
        }
        var buffer: [UInt8] = []
        // Bounded: one pass per request; ends on EOF, close, stop or error.
        while !isStopped {
            guard var request = readRequest(fd, session, &buffer) else { return }
            request = state.withLock { state in
                request.index = state.requests.count
                state.requests.append(request)
                return request
            }
            switch handler(request) {
            case .send(let bytes, let close):
                guard write(fd, session, bytes) else { return }
                if close {
                    session?.shutdown(deadline: .now + .milliseconds(100))
                    return
                }
            case .sendAndCut(let bytes):
                _ = write(fd, session, bytes)
                return
            case .drop:
                return
            case .hang:
                while !isStopped { usleep(20_000) }
                return
            }
        }
    }

    private func readRequest(_ fd: Int32, _ session: TLSConnection?, _ buffer: inout [UInt8]) -> Request? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        while true {
            if let end = buffer.indices.dropLast(3).first(where: { Array(buffer[$0..<($0 + 4)]) == terminator }) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                var rest = Array(buffer[(end + 4)...])
                let partial = Request(head: head, body: [])
                let length = partial.header("Content-Length").flatMap { Int($0) } ?? 0
                while rest.count < length {
                    guard let more = read(fd, session) else { return nil }
                    rest += more
                }
                buffer = Array(rest[length...])
                return Request(head: head, body: Array(rest[..<length]))
            }
            guard buffer.count < 1 << 20, let more = read(fd, session) else { return nil }
            buffer += more
        }
    }

    /// Next bytes from the peer, or nil on EOF, error or stop.
    private func read(_ fd: Int32, _ session: TLSConnection?) -> [UInt8]? {
        while !isStopped {
            if let session {
                do {
                    let bytes = try session.read(maxBytes: 16 * 1024, deadline: .now + .milliseconds(50))
                    return bytes.isEmpty ? nil : bytes
                } catch where error.code == .timeout {
                    continue
                } catch {
                    return nil
                }
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 50) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let count = recv(fd, &chunk, chunk.count, 0)
            return count > 0 ? Array(chunk[..<count]) : nil
        }
        return nil
    }

    private func write(_ fd: Int32, _ session: TLSConnection?, _ bytes: [UInt8]) -> Bool {
        if let session { return (try? session.write(bytes, deadline: .now + .seconds(5))) != nil }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}

extension ClientTestServer.Reply {
    /// A complete response with Content-Length.
    static func ok(_ body: String, status: String = "200 OK", headers: [String] = [], close: Bool = false) -> Self {
        let bytes = Array(body.utf8)
        let head = (["HTTP/1.1 \(status)", "Content-Length: \(bytes.count)"] + headers).joined(separator: "\r\n") + "\r\n\r\n"
        return .send(Array(head.utf8) + bytes, close: close)
    }

    /// Raw response text (CRLFs included by the caller).
    static func raw(_ text: String, close: Bool = false) -> Self { .send(Array(text.utf8), close: close) }
}
