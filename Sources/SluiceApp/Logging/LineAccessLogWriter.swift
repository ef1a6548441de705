import SluiceHTTP

/// The server's access-log lines as `LineLogHandler` writes them for
/// `logger.info("request", metadata: record.metadata)`, built as bytes without the metadata dictionary.
struct LineAccessLogWriter: AccessLogWriter {
    /// The constant bytes of a line, in order: before the first time, between the time and each value, the end.
    private struct Pieces {
        var start: [UInt8]
        var afterTime: [UInt8]
        var duration: [UInt8]
        var method: [UInt8]
        var path: [UInt8]
        var remote: [UInt8]
        var requestId: [UInt8]
        var route: [UInt8]
        var status: [UInt8]
        var end: [UInt8]
    }

    private let format: LineLogHandler.Format
    private let sink: LineSink
    private let pieces: Pieces

    init(label: String, format: LineLogHandler.Format, sink: LineSink) {
        self.format = format
        self.sink = sink
        // Keys in the sorted order LineLogHandler uses: bytes, duration_ms, method, path, remote,
        // request.id, route, status. Numbers are JSON strings, as the metadata values are.
        switch format {
        case .json:
            var afterTime = Array("\",\"level\":\"info\",\"logger\":".utf8)
            LogLineEncoding.appendJSONString(label, to: &afterTime)
            afterTime += Array(",\"msg\":\"request\",\"bytes\":\"".utf8)
            pieces = Pieces(
                start: Array("{\"time\":\"".utf8), afterTime: afterTime, duration: Array("\",\"duration_ms\":\"".utf8),
                method: Array("\",\"method\":".utf8), path: Array(",\"path\":".utf8), remote: Array(",\"remote\":".utf8),
                requestId: Array(",\"request.id\":".utf8), route: Array(",\"route\":".utf8), status: Array(",\"status\":\"".utf8),
                end: Array("\"}\n".utf8)
            )
        case .text:
            pieces = Pieces(
                start: [], afterTime: Array(" INFO \(label): request bytes=".utf8), duration: Array(" duration_ms=".utf8),
                method: Array(" method=".utf8), path: Array(" path=".utf8), remote: Array(" remote=".utf8),
                requestId: Array(" request.id=".utf8), route: Array(" route=".utf8), status: Array(" status=".utf8),
                end: [0x0A]
            )
        }
    }

    func append(_ r: AccessLogRecord, to line: inout [UInt8]) {
        let p = pieces
        let json = format == .json
        func value(_ s: String, _ line: inout [UInt8]) {
            if json { LogLineEncoding.appendJSONString(s, to: &line) } else { LogLineEncoding.appendTextValue(s, to: &line) }
        }
        UTCTimestamp.withBytes(epochMilliseconds: r.epochMilliseconds) { time in
            line.append(contentsOf: p.start)
            line.append(contentsOf: time)
            line.append(contentsOf: p.afterTime)
            LogLineEncoding.appendDecimal(r.bytes, to: &line)
            line.append(contentsOf: p.duration)
            LogLineEncoding.appendMilliseconds(microseconds: (r.durationSeconds * 1e6).rounded(), to: &line)
            line.append(contentsOf: p.method)
            value(r.method, &line)
            line.append(contentsOf: p.path)
            value(r.path, &line)
            line.append(contentsOf: p.remote)
            value(r.remote, &line)
            line.append(contentsOf: p.requestId)
            value(r.requestId, &line)
            line.append(contentsOf: p.route)
            value(r.route, &line)
            line.append(contentsOf: p.status)
            LogLineEncoding.appendDecimal(r.status, to: &line)
            line.append(contentsOf: p.end)
        }
    }

    func write(lines: [UInt8]) {
        sink.write(lines: lines)
    }
}
