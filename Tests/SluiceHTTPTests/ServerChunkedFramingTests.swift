import Foundation
import SluiceTestSupport
import Testing
@testable import SluiceHTTP

/// Chunked bodies as TCP delivers them: split anywhere, and framed with more extension bytes than data.
struct ServerChunkedFramingTests {
    /// Places where a read may end with bytes the decoder cannot use yet: inside a size line, between a
    /// chunk's data and its CRLF, inside the CRLF, inside a trailer line.
    static let splits: [(first: String, rest: String)] = [
        ("1", "0\r\n0123456789abcdef\r\n0\r\n\r\n"),
        ("10;ext=", "1\r\n0123456789abcdef\r\n0\r\n\r\n"),
        ("10\r\n0123456789abcdef\r", "\n0\r\n\r\n"),
        ("10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t", "\r\n\r\n"),
    ]

    @Test(arguments: 0..<splits.count)
    func aBodySplitMidLineWaitsForTheRestAndTheLoopServesOthers(split: Int) async throws {
        // One loop: a loop stuck on the partial line would leave the second connection unanswered.
        try await withServer(echoRouter(), configure: { $0.threads = 1 }) { server in
            let port = server.port
            let (first, rest) = Self.splits[split]
            try await offPool {
                let uploader = try RawClient(port: port)
                try uploader.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + first)
                // Let the loop read the partial line on its own before anything else arrives.
                Thread.sleep(forTimeInterval: 0.1)
                let other = try RawClient(port: port, timeoutSeconds: 3)
                #expect(try other.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").bodyText == "hello")
                try uploader.send(rest)
                let r = try uploader.readResponse()
                #expect(r.status == 200)
                #expect(r.bodyText == "0123456789abcdef")
            }
        }
    }

    @Test func extensionsFarLargerThanTheirDataAreRefused() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                // Each line stays under the 4 KiB line limit; together they frame 20 bytes with ~40 KB.
                let ext = ";" + String(repeating: "e", count: 2000)
                let chunks = (0..<20).map { _ in "1\(ext)\r\nx\r\n" }.joined()
                let r = try client.roundTrip(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n")
                #expect(r.status == 400)
                #expect(r.errorCode == "bad_request")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func ordinaryExtensionsOnSmallChunksPass() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                // 2,000 one-byte chunks with a short extension each: within the allowance of any chunk.
                let chunks = String(repeating: "1;a=b\r\nx\r\n", count: 2000)
                let r = try client.roundTrip(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n")
                #expect(r.status == 200)
                #expect(r.body.count == 2000)
            }
        }
    }

    @Test func anErrorTheLoopAnswersToHeadHasNoBody() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("HEAD /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n")
                #expect(r.status == 413)
                #expect(Int(r.headers["Content-Length"] ?? "") ?? 0 > 0)
                // Nothing after the head: the next bytes would be read as a response of their own.
                #expect(client.isClosedByPeer())
            }
        }
    }
}
