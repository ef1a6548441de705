import Logging
import SluiceCore

/// Writes every notification to the log as one structured line (always on).
public struct LogAlertSink: AlertSink {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Logs at error (critical), warning (warning) or notice (resolved).
    public func submit(_ notifications: [AlertNotification]) async {
        for n in notifications {
            let level: Logger.Level
            switch (n.status, n.severity) {
            case (.resolved, _): level = .notice
            case (_, .critical): level = .error
            case (_, .warning): level = .warning
            }
            var metadata: Logger.Metadata = [
                "alert.id": "\(n.id)", "alert.rule": "\(n.rule.rawValue)", "alert.severity": "\(n.severity.rawValue)",
                "alert.status": "\(n.status.rawValue)", "alert.scope": "\(n.scope)",
            ]
            if let value = n.value { metadata["alert.value"] = "\(value)" }
            if let threshold = n.threshold { metadata["alert.threshold"] = "\(threshold)" }
            logger.log(level: level, "alert \(n.status.rawValue): \(n.message)", metadata: metadata)
        }
    }

    public func shutdown() async {}
}
