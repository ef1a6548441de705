// libFuzzer entry for `http-request` (pending until branch http is merged): the server's request
// head parser, body framing and chunked decoder over a whole pipelined byte stream, the way the
// event loop drives them. Scripts/fuzz links it against an instrumented, -enable-testing build of
// the pure parsing files of Sources/SluiceHTTP (the socket/Logging files are left out).
@testable import SluiceHTTP

/// Byte 0 picks how the stream is cut into reads; the rest is what a client sent on one connection.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let step = Int(data[0] % 31) + 1
    let stream = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var whole = StreamDriver()
    whole.feed(stream[...])
    var pieces = StreamDriver()
    var offset = 0
    while offset < stream.count {
        let end = min(offset + step, stream.count)
        pieces.feed(stream[offset..<end])
        offset = end
    }
    // TCP may split the stream anywhere: which requests and bodies the server accepts must not depend
    // on where. Which 4xx/5xx a broken head gets may (a bare LF is seen before a bad version when the
    // head arrives in pieces), so only the fact of the error is compared.
    precondition(whole.events == pieces.events, "parse depends on read boundaries:\n\(whole.events)\n\(pieces.events)")
    return 0
}

/// Mirrors EventLoop+Reading: parse a head, then its body (length or chunked), then the next head.
private struct StreamDriver {
    private enum State {
        case head
        case length(remaining: Int, received: Int)
        case chunked(RequestChunkedDecoder)
    }

    static let bodyLimit = 64 * 1024
    private let parser = RequestHeadParser(maxHeaderBytes: 8192, maxHeaderCount: 100, maxURILength: 4096)
    private var buffer: [UInt8] = []
    private var state = State.head
    private var keepAlive = true
    private var closed = false
    /// What the server would act on, in order: requests, bodies, errors.
    private(set) var events: [String] = []

    mutating func feed(_ bytes: ArraySlice<UInt8>) {
        guard !closed else { return }
        buffer.append(contentsOf: bytes)
        while !closed, step() {}
    }

    /// Makes one unit of progress; false when more input is needed.
    private mutating func step() -> Bool {
        switch state {
        case .head:
            let result = buffer.withUnsafeBytes { parser.parse($0) }
            switch result {
            case .incomplete:
                return false
            case .failure(let error):
                fail(error)
                return false
            case .head(let head, let consumed):
                precondition(consumed > 0 && consumed <= buffer.count, "head consumed \(consumed) of \(buffer.count)")
                buffer.removeFirst(consumed)
                let split = RequestTarget.split(head.target)
                _ = RequestTarget.segments(of: Array(split.path.utf8)[...])
                events.append(
                    "\(head.method) \(head.target) \(head.version) path=\(split.path) q=\(split.query.count) "
                        + "h=\(Array(head.headers).count) cl=\(head.contentLength ?? -1) chunked=\(head.chunked)")
                keepAlive = head.keepAlive
                if head.chunked {
                    precondition(head.contentLength == nil, "both chunked and Content-Length accepted")
                    state = .chunked(RequestChunkedDecoder(limit: Self.bodyLimit))
                } else if let length = head.contentLength, length > 0 {
                    precondition(length >= 0)
                    if length > Self.bodyLimit {
                        events.append("error")
                        closed = true
                        return false
                    }
                    state = .length(remaining: length, received: 0)
                } else {
                    finishBody(0)
                }
                return true
            }
        case .length(let remaining, let received):
            let n = min(remaining, buffer.count)
            if n == 0 { return false }
            buffer.removeFirst(n)
            if n == remaining { finishBody(received + n) } else { state = .length(remaining: remaining - n, received: received + n) }
            return n == remaining
        case .chunked(var decoder):
            var received = 0
            let (consumed, progress) = buffer.withUnsafeBytes { raw in decoder.decode(raw) { received += $0.count } }
            precondition(consumed >= 0 && consumed <= buffer.count, "decoder consumed \(consumed) of \(buffer.count)")
            precondition(decoder.total <= Self.bodyLimit, "chunked body over the limit")
            precondition(received <= consumed, "decoder emitted more bytes than it consumed")
            buffer.removeFirst(consumed)
            switch progress {
            case .needMore:
                state = .chunked(decoder)
                return false
            case .done:
                finishBody(decoder.total)
                return true
            case .failure(let error):
                fail(error)
                return false
            }
        }
    }

    private mutating func finishBody(_ count: Int) {
        events.append("body \(count)")
        state = .head
        if !keepAlive { closed = true }
    }

    private mutating func fail(_ error: HeadParseError) {
        precondition((400...599).contains(error.status.code), "head error with status \(error.status.code)")
        events.append("error")
        closed = true
    }
}
