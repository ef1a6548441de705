import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one line per record to stderr: JSON objects (for log shippers) or
/// `key=value` text. Values are escaped so a hostile string cannot forge a log line.
public struct LineLogHandler: LogHandler {
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
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = Self.timestamp()
        let line: String
        switch format {
        case .json:
            var fields = "{\"time\":\"\(time)\",\"level\":\"\(event.level.rawValue)\",\"logger\":\(Self.jsonString(label)),\"msg\":\(Self.jsonString(event.message.description))"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                fields += ",\(Self.jsonString(key)):\(Self.json(value))"
            }
            line = fields + "}"
        case .text:
            var fields = "\(time) \(event.level.rawValue.uppercased()) \(label): \(Self.textEscape(event.message.description))"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                fields += " \(key)=\(Self.textEscape(value.description))"
            }
            line = fields
        }
        sink.write(line)
    }

    static func timestamp() -> String {
        Date.now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
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
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func textEscape(_ s: String) -> String {
        let needsQuoting = s.isEmpty || s.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 || $0.value == 0x7F }
        return needsQuoting ? jsonString(s) : s
    }
}

/// Where log lines go; writes are serialised so lines never interleave.
public final class LineSink: Sendable {
    private let lock = Mutex<Void>(())
    private let handle: FileHandle

    public init(handle: FileHandle) { self.handle = handle }

    public static let standardError = LineSink(handle: .standardError)

    func write(_ line: String) {
        let data = Data((line + "\n").utf8)
        lock.withLock { _ in handle.write(data) }
    }
}
