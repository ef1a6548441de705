import Testing
@testable import SluiceHTTP

/// The head parser and chunked decoder without sockets.
struct ServerParserTests {
    let parser = RequestHeadParser(maxHeaderBytes: 1024, maxHeaderCount: 10, maxURILength: 256)

    func parse(_ text: String) -> RequestHeadParser.Result {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { parser.parse($0) }
    }

    @Test func parsesHeadAndReportsConsumedBytes() throws {
        let text = "\r\nPOST /a?b=c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
        guard case .head(let head, let consumed) = parse(text) else {
            Issue.record("expected a head")
            return
        }
        #expect(consumed == text.utf8.count - 3)
        #expect(head.method == .POST)
        #expect(head.target == "/a?b=c")
        #expect(head.contentLength == 3)
        #expect(head.keepAlive)
        #expect(head.headers["host"] == "h")
    }

    @Test func measuresLeadingEmptyLines() {
        func count(_ text: String) -> Int { Array(text.utf8).withUnsafeBytes { RequestHeadParser.leadingEmptyLineBytes($0) } }
        #expect(count("") == 0)
        #expect(count("\r\n") == 2)
        #expect(count("\r\n\r\nGET") == 4)
        #expect(count("\r\n\r") == 2)
        #expect(count("\n\r\n") == 0)
        #expect(count("GET / HTTP/1.1\r\n") == 0)
    }

    @Test func higherMinorVersionIsReadAsHTTP11() {
        guard case .head(let head, _) = parse("GET / HTTP/1.7\r\nHost: h\r\n\r\n") else {
            Issue.record("expected a head")
            return
        }
        #expect(head.version == .http1_1)
        guard case .failure(let error) = parse("GET / HTTP/2.1\r\nHost: h\r\n\r\n") else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.status == .httpVersionNotSupported)
    }

    @Test func incompleteHeadWaits() {
        guard case .incomplete = parse("GET / HTTP/1.1\r\nHost: h\r\n") else {
            Issue.record("expected incomplete")
            return
        }
    }

    @Test func absoluteFormTargetIsReducedToPath() {
        guard case .head(let head, _) = parse("GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n") else {
            Issue.record("expected a head")
            return
        }
        #expect(head.target == "/p?q=1")
    }

    @Test func chunkedDecoderHandlesSplitInput() {
        let wire = Array("4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nT: v\r\n\r\nNEXT".utf8)
        for split in 1..<(wire.count - 4) {
            var decoder = RequestChunkedDecoder(limit: 100)
            var out: [UInt8] = []
            var buffer = Array(wire[..<split])
            var rest = Array(wire[split...])
            var done = false
            for _ in 0..<4 {
                let (consumed, progress) = buffer.withUnsafeBytes { decoder.decode($0) { out.append(contentsOf: $0) } }
                buffer.removeFirst(consumed)
                if case .done = progress { done = true; break }
                if case .failure = progress { break }
                buffer += rest
                rest = []
            }
            #expect(done, "split at \(split)")
            #expect(String(decoding: out, as: UTF8.self) == "Wikipedia")
            #expect(String(decoding: buffer, as: UTF8.self) == "NEXT")
        }
    }

    @Test func chunkedDecoderEnforcesLimit() {
        var decoder = RequestChunkedDecoder(limit: 4)
        let wire = Array("5\r\nhello\r\n0\r\n\r\n".utf8)
        let (_, progress) = wire.withUnsafeBytes { decoder.decode($0) { _ in } }
        guard case .failure(let error) = progress else {
            Issue.record("expected failure")
            return
        }
        #expect(error.status == .contentTooLarge)
    }

    @Test func formatsIMFFixdate() {
        #expect(ResponseDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }

    @Test func requestIdSanity() {
        #expect(HeaderSyntax.isSaneRequestId("abc-DEF_1.2"))
        #expect(!HeaderSyntax.isSaneRequestId(""))
        #expect(!HeaderSyntax.isSaneRequestId("a b"))
        #expect(!HeaderSyntax.isSaneRequestId(String(repeating: "a", count: 129)))
        var ids = RequestIDGenerator()
        let a = ids.next(), b = ids.next()
        #expect(a.count == 16 && b.count == 16 && a != b)
    }
}
