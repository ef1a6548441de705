import Foundation
import Logging
import SluiceTestSupport
import Synchronization
import Testing
@testable import SluiceHTTP

/// Records access-log records and batches instead of writing them.
final class RecordingAccessLogWriter: AccessLogWriter {
    private let state = Mutex<(records: [String], batches: Int)>(([], 0))

    func append(_ record: AccessLogRecord, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: "\(record.requestId) \(record.status) \(record.route) \(record.path)\n".utf8)
    }

    func write(lines: [UInt8]) {
        let lines = lines.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        state.withLock {
            $0.records += lines
            $0.batches += 1
        }
    }

    var lines: [String] { state.withLock { $0.records } }
    var batches: Int { state.withLock { $0.batches } }
}

/// A handler offering `writer` for the access log; everything else is dropped.
struct ByteAccessLogHandler: AccessLogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let writer: RecordingAccessLogWriter
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {}
    func makeAccessLogWriter() -> (any AccessLogWriter)? { writer }
}

struct AccessLogBufferTests {
    static func record(_ id: String) -> AccessLogRecord {
        AccessLogRecord(epochMilliseconds: 0, requestId: id, method: "GET", path: "/", route: "/", status: 200, bytes: 0, durationSeconds: 0, remote: "-")
    }

    @Test func holdsLinesUntilTheIntervalThenWritesThemAsOneBatch() {
        let writer = RecordingAccessLogWriter()
        var buffer = AccessLogBuffer(writer: writer)
        #expect(buffer.millisecondsUntilDue(now: 0) == nil)
        buffer.append(Self.record("a"), now: 1_000_000)
        buffer.append(Self.record("b"), now: 2_000_000)
        #expect(buffer.millisecondsUntilDue(now: 2_000_000) == 4)
        buffer.flushIfDue(now: 5_999_999)
        #expect(writer.lines.isEmpty)
        buffer.flushIfDue(now: 6_000_000)
        #expect(writer.lines == ["a 200 / /", "b 200 / /"])
        #expect(writer.batches == 1)
        #expect(buffer.isEmpty)
        #expect(buffer.millisecondsUntilDue(now: 7_000_000) == nil)
    }

    @Test func writesAtOnceWhenTheBufferFillsUp() {
        let writer = RecordingAccessLogWriter()
        var buffer = AccessLogBuffer(writer: writer)
        let long = String(repeating: "x", count: 1000)
        for n in 0..<40 { buffer.append(Self.record("\(n)-\(long)"), now: 0) }
        #expect(writer.batches == 1)
        #expect(writer.lines.count == 33)  // 33 lines of ~1 KB pass 32 KiB
        buffer.flush()
        #expect(writer.lines.count == 40)
        #expect(writer.lines.last?.hasPrefix("39-") == true)
    }

    @Test func serverBatchesAccessLinesAndWritesThemWhileIdleAndOnShutdown() async throws {
        let writer = RecordingAccessLogWriter()
        let logger = Logger(label: "access") { _ in ByteAccessLogHandler(writer: writer) }
        try await withServer(echoRouter(), logger: logger) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                for n in 0..<20 {
                    let r = try c.roundTrip("GET /n/\(n)?token=secret HTTP/1.1\r\nHost: x\r\nX-Request-Id: req-\(n)\r\n\r\n")
                    #expect(r.status == 200)
                }
            }
            // Idle: the loop wakes up for the pending batch within the flush interval.
            for _ in 0..<200 where writer.lines.count < 20 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(writer.lines.count == 20)
            try await offPool {
                let c = try RawClient(port: port)
                let r = try c.roundTrip("GET /n/last HTTP/1.1\r\nHost: x\r\nX-Request-Id: req-last\r\n\r\n")
                #expect(r.status == 200)
            }
        }
        let lines = writer.lines
        #expect(lines.count == 21)
        #expect(Set(lines) == Set((0..<20).map { "req-\($0) 200 /n/{n} /n/\($0)" } + ["req-last 200 /n/{n} /n/last"]))
        #expect(!lines.joined().contains("secret"))
    }

    @Test func loopErrorsAreLoggedToo() async throws {
        let writer = RecordingAccessLogWriter()
        let logger = Logger(label: "access") { _ in ByteAccessLogHandler(writer: writer) }
        try await withServer(echoRouter(), logger: logger) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                let r = try c.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n")
                #expect(r.status == 400)
            }
        }
        #expect(writer.lines.count == 1)
        #expect(writer.lines.first?.contains(" 400 - -") == true)
    }

    @Test func aLevelAboveInfoLogsNoAccessLines() async throws {
        let writer = RecordingAccessLogWriter()
        var logger = Logger(label: "access") { _ in ByteAccessLogHandler(writer: writer) }
        logger.logLevel = .warning
        try await withServer(echoRouter(), logger: logger) { server in
            let port = server.port
            try await offPool {
                let c = try RawClient(port: port)
                #expect(try c.roundTrip("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
            }
        }
        #expect(writer.lines.isEmpty)
    }
}
