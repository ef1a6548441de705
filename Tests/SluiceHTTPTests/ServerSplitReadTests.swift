import Foundation
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

#if canImport(Glibc)
import Glibc
#endif

/// A pipelined stream of every request framing, delivered as TCP (or TLS) may cut it: one byte per read,
/// and split in two at every byte. The loop must answer exactly as for the whole stream at once, and keep
/// serving other connections meanwhile. (The libFuzzer targets drive the parser, not the loop's reads.)
struct ServerSplitReadTests {
    /// GET, a Content-Length body, a chunked body with an extension and a trailer, HEAD, then a close.
    static let stream = Array((
        "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world"
            + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;a=b\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /n/7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    ).utf8)

    /// Reads the five answers the stream asks for and checks each, then that the server closed.
    static func expectAnswers(from client: RawClient) throws {
        let hello = try client.readResponse()
        #expect(hello.status == 200 && hello.bodyText == "hello")
        let sized = try client.readResponse()
        #expect(sized.status == 200 && sized.bodyText == "hello world")
        let chunked = try client.readResponse()
        #expect(chunked.status == 200 && chunked.bodyText == "hello world")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200 && head.headers["Content-Length"] == "5")
        let last = try client.readResponse()
        #expect(last.status == 200 && last.bodyText == "n=7")
        #expect(client.isClosedByPeer())
    }

    static func noDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// One loop thread, so a loop stuck on a partial read would also leave `other` unanswered.
    @Test func oneBytePerReadGivesTheSameAnswersAndOthersAreServed() async throws {
        try await withServer(echoRouter(), configure: { $0.threads = 1 }) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                Self.noDelay(client.fd)
                let other = try RawClient(port: port, timeoutSeconds: 3)
                for (index, byte) in Self.stream.enumerated() {
                    try client.send([byte])
                    // Long enough for the loop to read each byte on its own.
                    usleep(300)
                    if index % 64 == 63 {
                        #expect(try other.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").bodyText == "hello")
                    }
                }
                try Self.expectAnswers(from: client)
            }
        }
    }

    @Test func everySplitInTwoGivesTheSameAnswers() async throws {
        try await withServer(echoRouter(), configure: { $0.threads = 1 }) { server in
            let port = server.port
            try await offPool {
                for split in 1..<Self.stream.count {
                    let client = try RawClient(port: port, timeoutSeconds: 3)
                    Self.noDelay(client.fd)
                    try client.send(Array(Self.stream[..<split]))
                    usleep(1000)
                    try client.send(Array(Self.stream[split...]))
                    try Self.expectAnswers(from: client)
                }
            }
        }
    }

    /// Over TLS each byte is a record of its own, so each decrypted read holds one byte.
    @Test func oneByteTLSRecordsGiveTheSameAnswers() async throws {
        let tls = try await ServerTLSTests.identity()
        let pki = try await ClientTestPKI.load()
        try await withServer(echoRouter(), configure: { $0.tls = tls; $0.threads = 1 }) { server in
            let text = try await offPool {
                let (raw, connection) = try ServerTLSTests.connectTLS(port: server.port, caFile: pki.caFile)
                defer { withExtendedLifetime(raw) {} }
                Self.noDelay(raw.fd)
                for byte in Self.stream {
                    try connection.write([byte], deadline: .now + .seconds(5))
                    usleep(300)
                }
                return try ServerTLSTests.readAll(connection)
            }
            #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 6)
            #expect(text.components(separatedBy: "\r\n\r\nhello world").count == 3)
            #expect(text.hasSuffix("n=7"))
        }
    }
}
