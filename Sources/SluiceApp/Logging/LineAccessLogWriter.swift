import SluiceHTTP

/// The server's access-log lines as `LineLogHandler` writes them for
/// `logger.info("request", metadata: record.metadata)`, built as bytes without the metadata dictionary.
struct LineAccessLogWriter: AccessLogWriter {
    private let format: LineLogHandler.Format
    private let sink: LineSink
    /// The constant bytes between the first timestamp and the first value.
    private let afterTime: [UInt8]

    init(label: String, format: LineLogHandler.Format, sink: LineSink) {
        self.format = format
        self.sink = sink
        var bytes: [UInt8] = []
        switch format {
        case .json:
            bytes.append(contentsOf: "\",\"level\":\"info\",\"logger\":".utf8)
            LogLineEncoding.appendJSONString(label, to: &bytes)
            bytes.append(contentsOf: ",\"msg\":\"request\",\"bytes\":\"".utf8)
        case .text:
            bytes.append(contentsOf: " INFO \(label): request bytes=".utf8)
        }
        afterTime = bytes
    }

    func append(_ r: AccessLogRecord, to line: inout [UInt8]) {
        // Keys in the sorted order LineLogHandler uses: bytes, duration_ms, method, path, remote,
        // request.id, route, status, time.
        switch format {
        case .json:
            line.append(contentsOf: "{\"time\":\"".utf8)
            UTCTimestamp.append(epochMilliseconds: r.epochMilliseconds, to: &line)
            line.append(contentsOf: afterTime)
            LogLineEncoding.appendDecimal(r.bytes, to: &line)
            line.append(contentsOf: "\",\"duration_ms\":\"".utf8)
            LogLineEncoding.appendMilliseconds(microseconds: (r.durationSeconds * 1e6).rounded(), to: &line)
            line.append(contentsOf: "\",\"method\":".utf8)
            LogLineEncoding.appendJSONString(r.method, to: &line)
            line.append(contentsOf: ",\"path\":".utf8)
            LogLineEncoding.appendJSONString(r.path, to: &line)
            line.append(contentsOf: ",\"remote\":".utf8)
            LogLineEncoding.appendJSONString(r.remote, to: &line)
            line.append(contentsOf: ",\"request.id\":".utf8)
            LogLineEncoding.appendJSONString(r.requestId, to: &line)
            line.append(contentsOf: ",\"route\":".utf8)
            LogLineEncoding.appendJSONString(r.route, to: &line)
            line.append(contentsOf: ",\"status\":\"".utf8)
            LogLineEncoding.appendDecimal(r.status, to: &line)
            line.append(contentsOf: "\",\"time\":\"".utf8)
            UTCTimestamp.append(epochMilliseconds: r.epochMilliseconds, to: &line)
            line.append(contentsOf: "\"}\n".utf8)
        case .text:
            UTCTimestamp.append(epochMilliseconds: r.epochMilliseconds, to: &line)
            line.append(contentsOf: afterTime)
            LogLineEncoding.appendDecimal(r.bytes, to: &line)
            line.append(contentsOf: " duration_ms=".utf8)
            LogLineEncoding.appendMilliseconds(microseconds: (r.durationSeconds * 1e6).rounded(), to: &line)
            line.append(contentsOf: " method=".utf8)
            LogLineEncoding.appendTextValue(r.method, to: &line)
            line.append(contentsOf: " path=".utf8)
            LogLineEncoding.appendTextValue(r.path, to: &line)
            line.append(contentsOf: " remote=".utf8)
            LogLineEncoding.appendTextValue(r.remote, to: &line)
            line.append(contentsOf: " request.id=".utf8)
            LogLineEncoding.appendTextValue(r.requestId, to: &line)
            line.append(contentsOf: " route=".utf8)
            LogLineEncoding.appendTextValue(r.route, to: &line)
            line.append(contentsOf: " status=".utf8)
            LogLineEncoding.appendDecimal(r.status, to: &line)
            line.append(contentsOf: " time=".utf8)
            UTCTimestamp.append(epochMilliseconds: r.epochMilliseconds, to: &line)
            line.append(0x0A)
        }
    }

    func write(lines: [UInt8]) {
        sink.write(lines: lines)
    }
}
