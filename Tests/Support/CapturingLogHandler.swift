import Logging
import Synchronization

/// Keeps every record logged through it, for tests that check what was logged, at which level and how often.
public struct CapturingLogHandler: LogHandler {
    public struct Line: Sendable, CustomStringConvertible {
        public var level: Logger.Level
        public var message: String
        /// The logger's metadata and the record's (the record's wins), values as text.
        public var metadata: [String: String]

        /// `level message key=value …`, keys sorted: one string to search for a fragment.
        public var description: String {
            "\(level) \(message)" + metadata.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        }
    }

    public final class Lines: Sendable {
        private let storage = Mutex<[Line]>([])
        public init() {}
        public var all: [Line] { storage.withLock { $0 } }
        /// Every line as its `description`.
        public var texts: [String] { all.map(\.description) }
        /// The lines with this message.
        public func named(_ message: String) -> [Line] { all.filter { $0.message == message } }
        /// Whether some line's text contains `fragment`.
        public func contains(_ fragment: String) -> Bool { all.contains { $0.description.contains(fragment) } }
        func append(_ line: Line) { storage.withLock { $0.append(line) } }
    }

    public let lines: Lines
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level

    public init(lines: Lines, logLevel: Logger.Level = .trace) {
        self.lines = lines
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var flat: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, record in record }) {
            flat[key] = "\(value)"
        }
        lines.append(Line(level: event.level, message: "\(event.message)", metadata: flat))
    }

    /// A logger writing into fresh `Lines`, passing records at `level` and above.
    public static func logger(label: String = "test", level: Logger.Level = .trace) -> (Logger, Lines) {
        let lines = Lines()
        return (Logger(label: label) { _ in CapturingLogHandler(lines: lines, logLevel: level) }, lines)
    }
}
