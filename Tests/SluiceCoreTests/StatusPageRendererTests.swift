import Foundation
import Testing
@testable import SluiceCore

struct StatusPageRendererTests {
    let now = MonitoringFixture.now
    typealias F = MonitoringFixture
    static let hostile = "<script>alert(\"x\")</script>&'evil.example"

    private func snapshot(paused: PauseStatus = .notPaused) -> StatusSnapshot {
        var samples = F.hour(sends: 1234, deliveries: 1200, hard: 25, complaints: 1)
        samples += F.hour(identity: Self.hostile, sends: 40, hard: 1)
        samples.append(F.sample(hoursAgo: 30, .send, 777))
        let report = DeliverabilityStats().report(samples: samples, now: now, quota: SendQuota(max24HourSend: 2000), paused: paused)
        let alert = ActiveAlert(
            id: "a", rule: .bounceRate, scope: .identity(Self.hostile), severity: .critical, value: 0.025, threshold: 0.02,
            message: "bounce rate for \(Self.hostile)", startedAt: now, lastNotifiedAt: now
        )
        return StatusSnapshot(
            generatedAt: now, report: report, chart: ChartBucket.series(samples: samples, now: now), openAlerts: [alert],
            suppressionCounts: [.hardBounce: 42, .complaint: 7], queueCounts: ["queued": 3, "fail<ed>": 1]
        )
    }

    @Test func escapesHostileIdentityNamesEverywhere() {
        let html = StatusPageRenderer.render(snapshot(paused: PauseStatus(paused: true, reason: "<b>bad</b>", identities: [Self.hostile])))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>bad"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;evil.example"))
        #expect(html.contains("Sending is PAUSED: &lt;b&gt;bad&lt;/b&gt;"))
        #expect(html.contains("fail&lt;ed&gt;"))
    }

    @Test func isSelfContainedWithBalancedTags() throws {
        let html = StatusPageRenderer.render(snapshot())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<style>"))
        for forbidden in ["<script", "src=", "href=", "<link", "@import", "url("] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        // The only URL is the SVG namespace.
        #expect(html.components(separatedBy: "http").count == 2)
        let svgStart = try #require(html.range(of: "<svg"))
        let svgEnd = try #require(html.range(of: "</svg>"))
        #expect(svgStart.lowerBound < svgEnd.lowerBound)
        #expect(html.components(separatedBy: "<rect ").count - 1 == 28 * 3)
        try expectBalanced(html)
    }

    @Test func rendersNumbersAndColours() {
        let html = StatusPageRenderer.render(snapshot())
        #expect(html.contains("<td class=\"num\">1274</td>"))            // overall 24 h sends
        #expect(html.contains("<td class=\"num\">2051</td>"))            // overall 7 d sends
        #expect(html.contains("<td class=\"num crit\">2.041%</td>"))     // 26/1274 > 2 %
        #expect(html.contains("<td class=\"num na\">2.5%</td>"))         // 1/40: below minimum volume
        // 1/1274 is over the 0.05 % warning, but one complaint is fewer than the minimum events: grey.
        #expect(html.contains("<td class=\"num na\">0.078%</td>"))
        #expect(html.contains("<td>hard_bounce</td><td class=\"num\">42</td>"))
        #expect(html.contains("<td>complaint</td><td class=\"num\">7</td>"))
        #expect(html.contains("<td>queued</td><td class=\"num\">3</td>"))
        #expect(html.contains("1274 of 2000 in 24 h (63.7%)"))
        #expect(html.contains("Sending is active"))
        #expect(html.contains("Sends (max 1274)"))
        #expect(html.contains("<td class=\"crit\">critical</td>"))
    }

    @Test func chartSeriesBucketsSixHoursOverSevenDays() {
        let samples = [
            F.sample(hoursAgo: 1, .send, 10), F.sample(hoursAgo: 1, .complaint, 1),
            F.sample(hoursAgo: 7, .send, 20), F.sample(hoursAgo: 7, .hardBounce, 2),
            F.sample(hoursAgo: 500, .send, 999),  // too old
        ]
        let buckets = ChartBucket.series(samples: samples, now: now)
        #expect(buckets.count == 28)
        #expect(buckets.map(\.sends).reduce(0, +) == 30)
        let last = buckets[27]
        #expect(last.start <= now && now < last.start.addingTimeInterval(6 * 3600))
        #expect(buckets.first { $0.sends == 20 }?.bounces == 2)
        #expect(buckets.first { $0.sends == 10 }?.complaints == 1)
    }

    /// Checks that every non-void element is closed in order.
    private func expectBalanced(_ html: String) throws {
        let void: Set<String> = ["meta", "br", "hr", "img", "input", "link"]
        var stack: [String] = []
        var rest = Substring(html)
        var guardCount = 0
        while let open = rest.firstIndex(of: "<"), guardCount < 100_000 {
            guardCount += 1
            let close = try #require(rest[open...].firstIndex(of: ">"))
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("!") { continue }
            if tag.hasPrefix("/") {
                let name = String(tag.dropFirst())
                #expect(stack.popLast() == name, "unexpected </\(name)>")
                continue
            }
            let name = String(tag.prefix { $0.isLetter || $0.isNumber })
            if tag.hasSuffix("/") || void.contains(name) { continue }
            stack.append(name)
        }
        #expect(stack.isEmpty, "unclosed: \(stack)")
    }
}
