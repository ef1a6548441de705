import SluiceTestSupport
import Testing
@testable import SluiceHTTP

/// Every ambiguous or malformed head is answered 400 (or its specific status) and the
/// connection is closed, so nothing after it can be read as a second request.
struct ServerSmugglingTests {
    static let badHeads: [String] = [
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , chunked\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.0\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost: x\r\n\tX-Folded: a\r\n\r\n",
        "GET /hello HTTP/1.1\nHost: x\n\n",
        "GET /hello HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost : x\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHo(st: x\r\n\r\n",
        "GET /hello HTTP/1.1\r\n: x\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost: x\r\nX-Nul: a\u{0}b\r\n\r\n",
        "GET /hello HTTP/1.1\r\n\r\n",
        "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET  /hello HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /hello  HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /hello\r\nHost: x\r\n\r\n",
        "GET /hello HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        "G@T /hello HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET hello HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /hello HTTP/1.x\r\nHost: x\r\n\r\n",
        "\u{1}\u{2}garbage\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
        "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n",
    ]

    @Test(arguments: badHeads)
    func rejectsAmbiguousOrMalformedRequests(_ request: String) async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                // A trailing smuggled request must never be answered.
                try client.send(request + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                let r = try client.readResponse()
                #expect(r.status == 400, "request: \(request.debugDescription)")
                #expect(r.headers["Connection"] == "close")
                #expect(r.errorCode == "bad_request")
                #expect(client.isClosedByPeer())
            }
        }
    }

    /// RFC 9112 §6.1: a coding before the final chunked is valid HTTP this server does not implement.
    @Test(arguments: ["gzip, chunked", "deflate ,Chunked", "x-custom,gzip, chunked"])
    func answersUnimplementedTransferCodingWith501(_ codings: String) async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(codings)\r\n\r\n0\r\n\r\n"
                    + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                let r = try client.readResponse()
                #expect(r.status == 501)
                #expect(r.errorCode == "unsupported_transfer_coding")
                #expect(r.headers["Connection"] == "close")
                #expect(client.isClosedByPeer())
            }
        }
    }

    @Test func rejectsUnsupportedExpectationWith417() async throws {
        try await withServer(echoRouter()) { server in
            let port = server.port
            try await offPool {
                let client = try RawClient(port: port)
                let r = try client.roundTrip("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\na")
                #expect(r.status == 417)
            }
        }
    }

    @Test func escapesErrorJSON() {
        let body = String(decoding: HTTPResponse.errorBody(code: "c\"", message: "<a>\n\\ \u{1}"), as: UTF8.self)
        #expect(body == #"{"error":{"code":"c\"","message":"\u003ca\u003e\n\\ \u0001"}}"#)
    }
}
