import Logging
import Synchronization

/// Keeps every record logged through it, for tests that check what the store says and how often.
struct CapturingLogHandler: LogHandler {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    final class Lines: Sendable {
        private let storage = Mutex<[Line]>([])
        var all: [Line] { storage.withLock { $0 } }
        func append(_ line: Line) { storage.withLock { $0.append(line) } }
        /// The lines with this message.
        func named(_ message: String) -> [Line] { all.filter { $0.message == message } }
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var flat: [String: String] = [:]
        for (key, value) in event.metadata ?? [:] { flat[key] = "\(value)" }
        lines.append(Line(level: event.level, message: "\(event.message)", metadata: flat))
    }

    /// A logger writing into a fresh `Lines`.
    static func logger() -> (Logger, Lines) {
        let lines = Lines()
        return (Logger(label: "test.store") { _ in CapturingLogHandler(lines: lines) }, lines)
    }
}
