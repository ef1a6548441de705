import Foundation
import Testing
@testable import SluiceCore

struct MonitoringStatsReportTests {
    let now = MonitoringFixture.now
    typealias F = MonitoringFixture

    private func json(_ report: StatsReport) throws -> [String: Any] {
        let data = try JSONEncoder().encode(report)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func jsonUsesStableSnakeCaseFields() throws {
        var samples = F.hour(sends: 1000, deliveries: 960, hard: 15, soft: 2, complaints: 1)
        samples += F.hour(identity: "small.example", sends: 20, hard: 1)
        let paused = PauseStatus(paused: true, reason: "complaint rate", since: now, identities: ["small.example"])
        let report = DeliverabilityStats().report(samples: samples, now: now, quota: SendQuota(max24HourSend: 4000), paused: paused)
        let root = try json(report)
        #expect(Set(root.keys) == ["generated_at", "minimum_volume", "windows", "identities", "quota", "paused"])

        let windows = try #require(root["windows"] as? [[String: Any]])
        #expect(windows.map { $0["name"] as? String } == ["24h", "7d", "representative"])
        let day = windows[0]
        #expect(day["sends"] as? Int == 1020)
        #expect(day["deliveries"] as? Int == 960)
        #expect(day["hard_bounces"] as? Int == 16)
        #expect(day["soft_bounces"] as? Int == 2)
        #expect(day["complaints"] as? Int == 1)
        #expect(day["judged"] as? Bool == true)
        #expect(abs((day["bounce_rate"] as? Double ?? 0) - 16.0 / 1020.0) < 1e-12)
        #expect(day["complaint_rate"] != nil)
        #expect(day["delivery_rate"] != nil)

        let identities = try #require(root["identities"] as? [[String: Any]])
        let small = try #require(identities.first { $0["identity"] as? String == "small.example" })
        let smallDay = try #require((small["windows"] as? [[String: Any]])?.first)
        #expect(smallDay["judged"] as? Bool == false)
        #expect(smallDay["status"] as? String == "insufficient_volume")

        let quota = try #require(root["quota"] as? [String: Any])
        #expect(quota["sent_24h"] as? Int == 1020)
        #expect(quota["max_24h"] as? Double == 4000)
        #expect(abs((quota["use"] as? Double ?? 0) - 1020.0 / 4000.0) < 1e-12)

        let pausedJSON = try #require(root["paused"] as? [String: Any])
        #expect(pausedJSON["paused"] as? Bool == true)
        #expect(pausedJSON["reason"] as? String == "complaint rate")
        #expect(pausedJSON["identities"] as? [String] == ["small.example"])
    }

    @Test func ratesAreNullWithoutSends() throws {
        let report = DeliverabilityStats().report(samples: [], now: now)
        let windows = try #require(try json(report)["windows"] as? [[String: Any]])
        #expect(windows[0]["bounce_rate"] is NSNull)
        let quota = try #require(try json(report)["quota"] as? [String: Any])
        #expect(quota["use"] is NSNull)
    }

    @Test func textTableShowsRowsQuotaAndInsufficientVolumeNote() {
        var samples = F.hour(sends: 1000, hard: 15)
        samples += F.hour(identity: "evil\n\u{1B}[31mname", sends: 20)
        let report = DeliverabilityStats().report(samples: samples, now: now, quota: SendQuota(max24HourSend: 2000))
        let text = report.renderText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0].hasPrefix("SCOPE"))
        #expect(lines[1].hasPrefix("overall ") && lines[1].contains(" 24h "))
        #expect(text.contains("1.5%"))
        #expect(text.contains("quota: 1020 of 2000 in 24 h (51%)"))
        #expect(text.contains("paused: no"))
        #expect(text.contains("not judged (insufficient volume)"))
        // Control characters in identity names cannot break rows or reach the terminal.
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains("evil??[31mname"))
        // Header + 3 overall + 6 identity rows, all the same shape.
        #expect(lines.prefix(10).allSatisfy { !$0.isEmpty })
    }
}

extension MonitoringStatsReportTests {
    @Test func reportRoundTripsThroughJSON() throws {
        var samples = F.hour(sends: 1000, deliveries: 990, hard: 3, soft: 1, complaints: 1)
        samples += F.hour(identity: "b.example", sends: 20)
        let paused = PauseStatus(paused: true, reason: "r", since: now, identities: ["b.example"])
        let report = DeliverabilityStats().report(samples: samples, now: now, quota: SendQuota(max24HourSend: 5000), paused: paused)
        let decoded = try JSONDecoder().decode(StatsReport.self, from: JSONEncoder().encode(report))
        #expect(decoded == report)
        #expect(decoded.renderText() == report.renderText())
    }
}
