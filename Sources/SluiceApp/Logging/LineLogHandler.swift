import Foundation
import Logging
import SluiceHTTP

/// A swift-log handler writing one line per record to stderr: JSON objects (for log shippers) or
/// `key=value` text. Values are escaped so a hostile string cannot forge a log line.
public struct LineLogHandler: LogHandler, AccessLogHandler {
    public enum Format: String, Sendable { case json, text }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let format: Format
    private let sink: LineSink

    public init(label: String, level: Logger.Level, format: Format, sink: LineSink = .standardError) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        sink.write(lines: render(event, epochMilliseconds: UTCTimestamp.nowMilliseconds()))
    }

    /// The server's access log written as bytes in batches; same lines as `log(event:)` would write.
    /// Handler metadata would be merged into every line, so with any the server logs through `log`.
    public func makeAccessLogWriter() -> (any AccessLogWriter)? {
        metadata.isEmpty ? LineAccessLogWriter(label: label, format: format, sink: sink) : nil
    }

    /// The line for `event` at `epochMilliseconds`, newline included; metadata keys sorted so lines are stable.
    func render(_ event: LogEvent, epochMilliseconds: Int64) -> [UInt8] {
        // No merged copy when the handler has no metadata of its own.
        let merged: Logger.Metadata
        if metadata.isEmpty {
            merged = event.metadata ?? [:]
        } else {
            var m = metadata
            if let extra = event.metadata { m.merge(extra) { _, new in new } }
            merged = m
        }
        var line: [UInt8] = []
        line.reserveCapacity(128 + merged.count * 32)
        switch format {
        case .json:
            line.append(contentsOf: "{\"time\":\"".utf8)
            UTCTimestamp.append(epochMilliseconds: epochMilliseconds, to: &line)
            line.append(contentsOf: "\",\"level\":\"".utf8)
            line.append(contentsOf: event.level.rawValue.utf8)
            line.append(contentsOf: "\",\"logger\":".utf8)
            LogLineEncoding.appendJSONString(label, to: &line)
            line.append(contentsOf: ",\"msg\":".utf8)
            LogLineEncoding.appendJSONString(event.message.description, to: &line)
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line.append(UInt8(ascii: ","))
                LogLineEncoding.appendJSONString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                Self.appendJSON(value, to: &line)
            }
            line.append(UInt8(ascii: "}"))
        case .text:
            UTCTimestamp.append(epochMilliseconds: epochMilliseconds, to: &line)
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: event.level.rawValue.uppercased().utf8)
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: label.utf8)
            line.append(contentsOf: ": ".utf8)
            LogLineEncoding.appendTextValue(event.message.description, to: &line)
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line.append(UInt8(ascii: " "))
                line.append(contentsOf: key.utf8)
                line.append(UInt8(ascii: "="))
                LogLineEncoding.appendTextValue(value.description, to: &line)
            }
        }
        line.append(0x0A)
        return line
    }

    /// `2026-11-29T11:38:16.726Z`, formatted by hand: FormatStyle costs microseconds per line.
    static func timestamp(_ date: Date = Date()) -> String {
        UTCTimestamp.format(epochMilliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    private static func appendJSON(_ value: Logger.Metadata.Value, to line: inout [UInt8]) {
        if case .string(let s) = value {
            LogLineEncoding.appendJSONString(s, to: &line)
        } else {
            line.append(contentsOf: json(value).utf8)
        }
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): return jsonString(s)
        case .stringConvertible(let c):
            if let n = c as? any BinaryInteger { return "\(n)" }
            if let d = c as? Double, d.isFinite { return "\(d)" }
            if let b = c as? Bool { return b ? "true" : "false" }
            return jsonString(c.description)
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let dict):
            return "{" + dict.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(json($0.value))" }.joined(separator: ",") + "}"
        }
    }

    /// JSON string literal with every control character escaped.
    public static func jsonString(_ s: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 2)
        LogLineEncoding.appendJSONString(s, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func textEscape(_ s: String) -> String {
        var bytes: [UInt8] = []
        LogLineEncoding.appendTextValue(s, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
