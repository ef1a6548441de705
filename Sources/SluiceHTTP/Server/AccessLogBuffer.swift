/// One event loop's pending access-log lines, written in batches: when `flushBytes` have piled up,
/// and at least every `flushInterval` (the loop wakes up for it), and when the loop exits. A
/// process killed outright loses at most the last interval's lines.
struct AccessLogBuffer {
    /// Bytes after which the batch is written at once.
    static let flushBytes = 32 * 1024
    /// The longest a line waits in the buffer, in nanoseconds.
    static let flushInterval: UInt64 = 5_000_000

    let writer: any AccessLogWriter
    private var bytes: [UInt8] = []
    /// Monotonic time of the oldest pending line.
    private var oldest: UInt64 = 0

    init(writer: any AccessLogWriter) {
        self.writer = writer
        bytes.reserveCapacity(Self.flushBytes + 1024)
    }

    var isEmpty: Bool { bytes.isEmpty }

    /// Adds the line for `record`; `now` is the loop's monotonic tick.
    mutating func append(_ record: AccessLogRecord, now: UInt64) {
        if bytes.isEmpty { oldest = now }
        writer.append(record, to: &bytes)
        if bytes.count >= Self.flushBytes { flush() }
    }

    /// Milliseconds until the batch is due (for the epoll timeout), or nil when nothing is pending.
    func millisecondsUntilDue(now: UInt64) -> Int32? {
        guard !bytes.isEmpty else { return nil }
        let due = oldest &+ Self.flushInterval
        guard due > now else { return 0 }
        return Int32((due - now + 999_999) / 1_000_000)
    }

    /// Writes the batch if its oldest line has waited `flushInterval`.
    mutating func flushIfDue(now: UInt64) {
        if !bytes.isEmpty, now &- oldest >= Self.flushInterval { flush() }
    }

    /// Writes whatever is pending.
    mutating func flush() {
        guard !bytes.isEmpty else { return }
        writer.write(lines: bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}
