import Logging

/// Writes access-log lines as bytes, without a swift-log call per request: the server appends each
/// line to a buffer of its event loop and hands the buffer over in batches.
public protocol AccessLogWriter: Sendable {
    /// Appends the whole line for `record`, newline included, to `buffer`. It must be the line the
    /// handler would write for `logger.info("request", metadata: record.metadata)`.
    func append(_ record: AccessLogRecord, to buffer: inout [UInt8])

    /// Writes complete lines (each ending with a newline), in order.
    func write(lines: [UInt8])
}

/// A log handler that can write the server's access log itself (see `AccessLogWriter`).
public protocol AccessLogHandler: LogHandler {
    /// The writer for access-log lines, or nil to go through `log(event:)` (e.g. when the handler
    /// carries metadata of its own).
    func makeAccessLogWriter() -> (any AccessLogWriter)?
}
