import Glibc

/// Incremental decoder for `Transfer-Encoding: chunked` (RFC 9112 §7.1): extensions ignored,
/// trailers discarded, sizes and line lengths bounded, and so is the framing beyond the data (tiny
/// chunks with long extensions would otherwise carry ~4 KB on the wire per body byte).
struct RequestChunkedDecoder {
    private enum State {
        case size
        case data(remaining: Int)
        case dataCRLF
        case trailers
        case done
    }

    enum Progress {
        case needMore
        case done
        case failure(HeadParseError)
    }

    private var state = State.size
    private var trailerBytes = 0
    /// Size-line bytes beyond each chunk's allowance (`framingAllowance`), never below 0.
    private var framingExcess = 0
    /// Decoded body bytes so far.
    private(set) var total = 0
    let limit: Int
    static let maxLineBytes = 4096
    static let maxTrailerBytes = 16 * 1024
    /// The size-line bytes a chunk may use free: 16 plus twice its data (as Go's net/http after
    /// CVE-2023-39326), so ordinary chunks of any size never accumulate excess.
    static func framingAllowance(_ size: Int) -> Int { 16 + 2 * size }
    static let maxFramingExcess = 16 * 1024

    init(limit: Int) { self.limit = limit }

    var isDone: Bool { if case .done = state { true } else { false } }

    /// Decodes as much of `input` as possible, passing body bytes to `emit`; returns bytes consumed.
    mutating func decode(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) -> (consumed: Int, progress: Progress) {
        var pos = 0
        while true {
            switch state {
            case .done:
                return (pos, .done)
            case .size:
                let lineEnd: (contentEnd: Int, next: Int)
                switch findLine(input, from: pos) {
                case .incomplete:
                    return (pos, input.count - pos > Self.maxLineBytes ? .failure(.bad("Chunk size line too long")) : .needMore)
                case .bareLF: return (pos, .failure(.bad("Bare LF in chunked body")))
                case .line(let end, let next): lineEnd = (end, next)
                }
                guard let size = Self.parseSize(UnsafeRawBufferPointer(rebasing: input[pos..<lineEnd.contentEnd])) else {
                    return (pos, .failure(.bad("Malformed chunk size")))
                }
                if size > limit - total {
                    return (pos, .failure(HeadParseError(status: .contentTooLarge, code: "body_too_large", message: "Request body too large")))
                }
                framingExcess = max(0, framingExcess + (lineEnd.contentEnd - pos) - Self.framingAllowance(size))
                if framingExcess > Self.maxFramingExcess {
                    return (pos, .failure(.bad("Chunk extensions too large for the data they frame")))
                }
                pos = lineEnd.next
                state = size == 0 ? .trailers : .data(remaining: size)
            case .data(let remaining):
                let n = min(remaining, input.count - pos)
                if n == 0 { return (pos, .needMore) }
                emit(UnsafeRawBufferPointer(rebasing: input[pos..<(pos + n)]))
                pos += n
                total += n
                state = remaining == n ? .dataCRLF : .data(remaining: remaining - n)
            case .dataCRLF:
                if input.count - pos < 2 { return (pos, .needMore) }
                guard input[pos] == 13, input[pos + 1] == 10 else { return (pos, .failure(.bad("Missing CRLF after chunk data"))) }
                pos += 2
                state = .size
            case .trailers:
                switch findLine(input, from: pos) {
                case .incomplete:
                    return (pos, input.count - pos > Self.maxLineBytes ? .failure(.bad("Trailer line too long")) : .needMore)
                case .bareLF: return (pos, .failure(.bad("Bare LF in chunked body")))
                case .line(let contentEnd, let next):
                    trailerBytes += next - pos
                    if trailerBytes > Self.maxTrailerBytes { return (pos, .failure(.bad("Trailers too large"))) }
                    if contentEnd == pos { state = .done }
                    pos = next
                }
            }
        }
    }

    private enum Line {
        case incomplete
        case bareLF
        case line(contentEnd: Int, next: Int)
    }

    /// Finds the CRLF ending the line that starts at `from`.
    private func findLine(_ input: UnsafeRawBufferPointer, from: Int) -> Line {
        let searchCount = min(input.count - from, Self.maxLineBytes + 2)
        guard searchCount > 0, let p = memchr(input.baseAddress! + from, 10, searchCount) else { return .incomplete }
        let lf = UnsafeRawPointer(input.baseAddress!).distance(to: UnsafeRawPointer(p))
        if lf == from || input[lf - 1] != 13 { return .bareLF }
        return .line(contentEnd: lf - 1, next: lf + 1)
    }

    /// Parses `1*HEXDIG [ BWS ";" extensions ]`; nil when malformed or absurdly large.
    private static func parseSize(_ line: UnsafeRawBufferPointer) -> Int? {
        var size = 0
        var digits = 0
        var i = 0
        while i < line.count, let v = RequestTarget.hexValue(line[i]) {
            digits += 1
            if digits > 15 { return nil }
            size = size << 4 | Int(v)
            i += 1
        }
        guard digits > 0 else { return nil }
        while i < line.count, line[i] == 32 || line[i] == 9 { i += 1 }
        if i < line.count, line[i] != UInt8(ascii: ";") { return nil }
        // Extensions are ignored but must not carry control bytes.
        for j in i..<line.count where line[j] < 0x20 && line[j] != 9 { return nil }
        return size
    }
}
