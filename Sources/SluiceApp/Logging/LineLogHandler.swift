import Foundation
import Glibc
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

    /// `2026-11-29T11:38:16.726Z`, formatted by hand: FormatStyle costs microseconds per line.
    static func timestamp(_ date: Date = Date()) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds % 1000), 3))Z"
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
        // Fast path: most values (ids, paths, numbers) need no escaping at all.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xE2 }) {
            return "\"" + s + "\""
        }
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
