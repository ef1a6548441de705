import Foundation
import Logging
import Synchronization
import Testing
import SluiceCore
@testable import SluiceApp

struct AlertLogSinkTests {
    /// Keeps every record.
    final class Capture: Sendable {
        let records = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
    }

    struct CaptureHandler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.records.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
        }
    }

    @Test func logsEachNotificationWithStructuredFieldsAtItsLevel() async {
        let capture = Capture()
        let sink = LogAlertSink(logger: Logger(label: "test") { _ in CaptureHandler(capture: capture) })
        let firing = AlertNotification(id: "x|1", rule: .complaintRate, severity: .critical, status: .firing, scope: .overall,
                                       value: 0.002, threshold: 0.001, message: "complaint rate high", at: MonitorFixture.start)
        var warning = firing
        warning.severity = .warning
        warning.status = .repeat
        var resolved = firing
        resolved.status = .resolved
        await sink.submit([firing, warning, resolved])
        let records = capture.records.withLock { $0 }
        #expect(records.map(\.level) == [.error, .warning, .notice])
        let first = records[0]
        #expect(first.message == "alert firing: complaint rate high")
        #expect(first.metadata["alert.id"] == "x|1")
        #expect(first.metadata["alert.rule"] == "complaint_rate")
        #expect(first.metadata["alert.severity"] == "critical")
        #expect(first.metadata["alert.scope"] == "overall")
        #expect(first.metadata["alert.value"] == "0.002")
    }
}
