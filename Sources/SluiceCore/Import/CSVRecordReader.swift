/// Splits a CSV byte stream (RFC 4180: `"` quoting, `""` escapes, CRLF, LF or bare CR line ends, line breaks
/// inside quoted fields) into records incrementally; memory is bounded by `maxRecordBytes`.
public struct CSVRecordReader: Sendable {
    /// One record: its fields, or why it is unusable; `line` is where it starts (1-based).
    public enum Record: Sendable, Equatable {
        case fields(line: Int, [String])
        case invalid(line: Int, message: String)
    }

    private enum State: Sendable {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    public let maxRecordBytes: Int
    private var state = State.fieldStart
    private var fields: [String] = []
    private var field: [UInt8] = []
    /// OR of the bytes stored in `field`: below 0x80 means ASCII.
    private var fieldHigh: UInt8 = 0
    private var recordBytes = 0
    private var line = 1
    private var recordLine = 1
    private var problem: String?
    private var byteOrderMark = ByteOrderMarkFilter()
    /// The last byte was a CR that ended a line: an LF right after it is the rest of a CRLF.
    private var afterCR = false

    public init(maxRecordBytes: Int = 64 * 1024) {
        self.maxRecordBytes = maxRecordBytes
    }

    /// Consumes `bytes`, calling `emit` for each record completed by them. Blank lines are skipped, and so
    /// is a byte order mark at the start of the stream.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Record) -> Void) {
        var filter = byteOrderMark
        filter.filter(bytes) { feedRuns($0, emit) }
        byteOrderMark = filter
    }

    private mutating func feedRuns(_ bytes: UnsafeRawBufferPointer, _ emit: (Record) -> Void) {
        guard let base = bytes.baseAddress else { return }
        // `bytes` views [UInt8] storage (or bytes read into such), already bound to UInt8.
        let b = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        let n = b.count
        var i = 0
        while i < n {
            if afterCR {
                afterCR = false
                if b[i] == 0x0A {
                    i += 1
                    continue
                }
            }
            // Runs of ordinary bytes are taken at once; every byte that can change the state (and
            // every byte of the rarer states) goes through `consume`, the byte-wise reference.
            switch state {
            case .fieldStart, .unquoted:
                let run = i
                var high: UInt8 = 0
                // `,` `"` CR LF are all ≤ 0x2C; letters, digits, `.`, `@`, `-` are above.
                while i < n {
                    let c = b[i]
                    if c <= 0x2C, c == 0x2C || c == 0x22 || c == 0x0A || c == 0x0D { break }
                    high |= c
                    i += 1
                }
                if i > run {
                    state = .unquoted
                    take(UnsafeBufferPointer(rebasing: b[run..<i]), high: high)
                }
            case .quoted:
                let run = i
                var high: UInt8 = 0
                var lines = 0
                while i < n {
                    let c = b[i]
                    if c == 0x22 { break }
                    if c == 0x0A { lines += 1 }
                    high |= c
                    i += 1
                }
                line += lines
                if i > run { take(UnsafeBufferPointer(rebasing: b[run..<i]), high: high) }
            case .quoteInQuoted:
                break
            }
            if i < n {
                consume(b[i], emit)
                i += 1
            }
        }
    }

    /// `feed` one byte at a time through `consume` only: the reference the run-at-once path is tested against.
    mutating func feedBytewise(_ bytes: [UInt8], _ emit: (Record) -> Void) {
        var filter = byteOrderMark
        bytes.withUnsafeBytes { raw in
            filter.filter(raw) { for byte in $0 { consume(byte, emit) } }
        }
        byteOrderMark = filter
    }

    /// Convenience over `feed(_:_:)` for arrays.
    public mutating func feed(_ bytes: [UInt8], _ emit: (Record) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit) }
    }

    /// Ends the input: emits a final record that lacks its line break, or reports an open quote.
    public mutating func finish(_ emit: (Record) -> Void) {
        var filter = byteOrderMark
        filter.finish { feedRuns($0, emit) }
        byteOrderMark = filter
        if case .quoted = state {
            problem = problem ?? "unterminated quoted field"
        }
        if recordBytes > 0 || !fields.isEmpty || problem != nil {
            endRecord(emit)
        }
    }

    private mutating func consume(_ byte: UInt8, _ emit: (Record) -> Void) {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        if afterCR {
            afterCR = false
            if byte == lf { return }
        }
        if byte == lf || (byte == cr && state != .quoted) { line += 1 }
        switch state {
        case .fieldStart, .unquoted:
            switch byte {
            case comma:
                endField()
                state = .fieldStart
            case lf:
                endRecord(emit)
            case cr:
                // A line end: of a CRLF (its LF is skipped), or on its own, as old Mac exports write.
                endRecord(emit)
                afterCR = true
            case quote where state == .fieldStart && field.isEmpty:
                state = .quoted
                count()
            case quote:
                problem = problem ?? "quote inside an unquoted field"
                append(byte)
            default:
                state = .unquoted
                append(byte)
            }
        case .quoted:
            if byte == quote {
                state = .quoteInQuoted
                count()
            } else {
                append(byte)
            }
        case .quoteInQuoted:
            switch byte {
            case quote:
                append(quote)
                state = .quoted
            case comma:
                endField()
                state = .fieldStart
            case lf:
                endRecord(emit)
            case cr:
                endRecord(emit)
                afterCR = true
            default:
                problem = problem ?? "characters after a closing quote"
                append(byte)
                state = .unquoted
            }
        }
    }

    private mutating func count() {
        recordBytes += 1
        if recordBytes > maxRecordBytes { problem = problem ?? "record longer than \(maxRecordBytes) bytes" }
    }

    private mutating func append(_ byte: UInt8) {
        count()
        // Past the limit keep scanning (to find the record's end) but stop storing.
        if recordBytes <= maxRecordBytes {
            field.append(byte)
            fieldHigh |= byte
        }
    }

    /// `append` for each byte of `run` (none of them a quote, comma or line end outside quotes), at once.
    private mutating func take(_ run: UnsafeBufferPointer<UInt8>, high: UInt8) {
        let room = maxRecordBytes - recordBytes
        recordBytes += run.count
        if recordBytes > maxRecordBytes { problem = problem ?? "record longer than \(maxRecordBytes) bytes" }
        guard room > 0 else { return }
        field.append(contentsOf: room >= run.count ? run : UnsafeBufferPointer(rebasing: run[..<room]))
        fieldHigh |= high
    }

    private mutating func endField() {
        count()
        if problem == nil {
            // ASCII (the usual field) needs no validation; anything else must be well-formed UTF-8.
            if fieldHigh < 0x80 {
                fields.append(field.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
            } else if let text = String(validating: field, as: UTF8.self) {
                fields.append(text)
            } else {
                problem = "field is not valid UTF-8"
            }
        }
        field.removeAll(keepingCapacity: true)
        fieldHigh = 0
    }

    private mutating func endRecord(_ emit: (Record) -> Void) {
        let isBlank = fields.isEmpty && field.isEmpty && recordBytes == 0 && problem == nil
        if !isBlank {
            endField()
            if let problem {
                emit(.invalid(line: recordLine, message: problem))
            } else {
                emit(.fields(line: recordLine, fields))
            }
        }
        fields.removeAll(keepingCapacity: true)
        field.removeAll(keepingCapacity: true)
        fieldHigh = 0
        recordBytes = 0
        problem = nil
        state = .fieldStart
        recordLine = line
    }
}
