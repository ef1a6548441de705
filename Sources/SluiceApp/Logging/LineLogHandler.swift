import Foundation
import Glibc
import Logging
import SluiceHTTP
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
        // The access log calls this once per request: no merged copy when the handler has no metadata
        // of its own, one growing string, keys sorted so lines are stable.
        let merged: Logger.Metadata
        if metadata.isEmpty {
            merged = event.metadata ?? [:]
        } else {
            var m = metadata
            if let extra = event.metadata { m.merge(extra) { _, new in new } }
            merged = m
        }
        let time = Self.timestamp()
        var line = ""
        line.reserveCapacity(128 + merged.count * 32)
        switch format {
        case .json:
            line += "{\"time\":\""
            line += time
            line += "\",\"level\":\""
            line += event.level.rawValue
            line += "\",\"logger\":"
            line += Self.jsonString(label)
            line += ",\"msg\":"
            line += Self.jsonString(event.message.description)
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line += ","
                line += Self.jsonString(key)
                line += ":"
                line += Self.json(value)
            }
            line += "}"
        case .text:
            line += "\(time) \(event.level.rawValue.uppercased()) \(label): \(Self.textEscape(event.message.description))"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                line += " \(key)=\(Self.textEscape(value.description))"
            }
        }
        sink.write(line)
    }

    /// `2026-11-29T11:38:16.726Z`, formatted by hand: FormatStyle costs microseconds per line.
    static func timestamp(_ date: Date = Date()) -> String {
        UTCTimestamp.format(epochMilliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
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

/// Where log lines go; lines never interleave and keep their order.
///
/// Writers do not queue on the lock across a syscall: the first writer that finds nobody flushing
/// becomes the flusher and writes everything appended so far in one `write(2)`, looping until the
/// buffer is empty; others only append. Under load many lines share one syscall; when idle each
/// line is written at once (nothing waits in memory, so nothing is lost on exit). A stalled
/// descriptor cannot grow memory without bound: past `maxPendingBytes` lines are dropped and counted.
public final class LineSink: Sendable {
    /// Pending bytes beyond which new lines are dropped (and the drop reported).
    static let maxPendingBytes = 4 << 20

    private struct State {
        var pending: [UInt8] = []
        var flushing = false
        var dropped = 0
    }

    // Held so the descriptor stays open (a released FileHandle closes it, and the number gets reused).
    private let handle: FileHandle
    private let fd: Int32
    private let state = Mutex(State())

    public init(handle: FileHandle) {
        self.handle = handle
        fd = handle.fileDescriptor
    }

    public static let standardError = LineSink(handle: .standardError)

    func write(_ line: String) {
        let becameFlusher: Bool = state.withLock { s in
            if s.pending.count + line.utf8.count >= Self.maxPendingBytes {
                s.dropped += 1
                return false
            }
            s.pending.append(contentsOf: line.utf8)
            s.pending.append(0x0A)
            if s.flushing { return false }
            s.flushing = true
            return true
        }
        if becameFlusher { flushLoop() }
    }

    private func flushLoop() {
        var batch: [UInt8] = []
        while true {
            let more: Bool = state.withLock { s in
                if s.dropped > 0 {
                    s.pending.append(contentsOf: "{\"msg\":\"log lines dropped: the log output is not keeping up\",\"dropped\":\(s.dropped)}\n".utf8)
                    s.dropped = 0
                }
                if s.pending.isEmpty {
                    s.flushing = false
                    return false
                }
                swap(&batch, &s.pending)
                return true
            }
            guard more else { return }
            writeAll(batch)
            batch.removeAll(keepingCapacity: batch.capacity <= 1 << 16)
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // a closed or broken log descriptor must not take the service down
                }
            }
        }
    }
}
