import Foundation
import Logging
import Testing
import SluiceCore
import SluiceTestSupport
@testable import SluiceApp

struct AlertLogSinkTests {
    @Test func logsEachNotificationWithStructuredFieldsAtItsLevel() async {
        let (logger, lines) = CapturingLogHandler.logger()
        let sink = LogAlertSink(logger: logger)
        let firing = AlertNotification(id: "x|1", rule: .complaintRate, severity: .critical, status: .firing, scope: .overall,
                                       value: 0.002, threshold: 0.001, message: "complaint rate high", at: MonitorFixture.start)
        var warning = firing
        warning.severity = .warning
        warning.status = .repeat
        var resolved = firing
        resolved.status = .resolved
        await sink.submit([firing, warning, resolved])
        let records = lines.all
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
