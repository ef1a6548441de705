import SluiceTestSupport
import Foundation
import Synchronization
import Testing
import SluiceCore
import SluiceHTTP
@testable import SluiceApp

/// Per-ISP pacing and warm-up through the real worker against an SES stand-in that records arrival times.
struct PacingEndToEndTests {
    /// SES v2 stand-in: GetAccount (rate 100/s) and SendEmail, each SendEmail recorded with its arrival time.
    final class TimedStandIn: Sendable {
        final class Log: Sendable { let entries = Mutex<[(Date, String)]>([]) }
        let server: TestHTTPServer
        let log = Log()

        init() throws {
            let log = self.log
            let counter = Atomic<Int>(0)
            server = try TestHTTPServer { request in
                if request.path == "/v2/email/account" {
                    return .json(#"{"SendQuota":{"Max24HourSend":100000,"MaxSendRate":100,"SentLast24Hours":0},"SendingEnabled":true}"#)
                }
                let json = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
                let to = ((json?["Destination"] as? [String: Any])?["ToAddresses"] as? [String])?.first ?? ""
                log.entries.withLock { $0.append((Date(), to)) }
                return .json(#"{"MessageId":"timed-\#(counter.add(1, ordering: .relaxed).newValue)"}"#)
            }
        }

        func times(domain: String) -> [Date] {
            log.entries.withLock { $0.filter { $0.1.hasSuffix("@" + domain) }.map(\.0) }
        }
    }

    private func start(
        _ standIn: TimedStandIn, _ settings: [String: TOMLValue], clock: SNSTestClock = .live()
    ) async throws -> SendTestApp {
        var all: [String: TOMLValue] = [
            "ses.transport": .string("ses"), "ses.endpoint": .string(standIn.server.baseURL), "ses.max_send_rate": .float(100),
        ]
        all.merge(settings) { $1 }
        return try await SendTestApp.start(settings: all, environment: SendTestApp.staticKeys, now: clock.function)
    }

    /// A live clock (the worker's rate limiter needs time to pass) that starts at 12:00 UTC today, so a
    /// warm-up day cannot end mid-test; and that day as `YYYY-MM-DD`.
    static func middayClock() -> (clock: SNSTestClock, day: String) {
        let clock = SNSTestClock.live()
        let day = ISO8601DateFormatter().string(from: clock.now).prefix(10)
        clock.set(ISO8601DateFormatter().date(from: "\(day)T12:00:00Z")!)
        return (clock, String(day))
    }

    @Test func gmailGroupIsSpacedAndDoesNotBlockOtherDomains() async throws {
        let standIn = try TimedStandIn()
        defer { standIn.server.stop() }
        try await withFixture(try await start(standIn, ["pacing.groups": .array([.string("gmail:gmail.com+googlemail.com=4")])])) { app in
            var ids: [String] = []
            let started = Date()
            // Gmail first, so a FIFO queue would put every yahoo message behind them.
            for i in 0..<10 { ids.append(try #require(try await app.post(SendTestApp.message(to: ["g\(i)@\(i % 2 == 0 ? "gmail.com" : "googlemail.com")"])).id)) }
            for i in 0..<5 { ids.append(try #require(try await app.post(SendTestApp.message(to: ["y\(i)@yahoo.com"])).id)) }
            for id in ids { #expect(try await app.waitForState(id, ["sent", "failed"]).state == "sent") }
            let gmail = standIn.times(domain: "gmail.com") + standIn.times(domain: "googlemail.com")
            let yahoo = standIn.times(domain: "yahoo.com")
            #expect(gmail.count == 10)
            #expect(yahoo.count == 5)
            // At most 4 gmail calls per rolling 1.02 s (slot time), so the 9th leaves at least 2.04 s after the
            // first could: a lower bound on time, which load cannot break.
            let sorted = gmail.sorted()
            #expect(sorted[sorted.count - 1].timeIntervalSince(started) >= 2.0)
            // Yahoo mail did not wait for the gmail backlog.
            #expect(try #require(yahoo.max()) < sorted[sorted.count - 1])
        }
    }

    @Test func warmupIdentityStopsAtItsDailyCap() async throws {
        let standIn = try TimedStandIn()
        defer { standIn.server.stop() }
        let (clock, today) = Self.middayClock()
        let app = try await start(standIn, [
            "pacing.warmup_identities": .array([.string("new.example.com@\(today)")]),
            "pacing.warmup_initial_daily": .integer(2), "pacing.warmup_factor": .float(2),
        ], clock: clock)
        try await withFixture(app) { app in
            var ids: [String] = []
            for i in 0..<3 { ids.append(try #require(try await app.post(SendTestApp.message(from: "a@new.example.com", to: ["w\(i)@example.net"])).id)) }
            let other = try #require(try await app.post(SendTestApp.message(from: "a@old.example.com", to: ["o@example.net"])).id)
            #expect(try await app.waitForState(other, ["sent", "failed"]).state == "sent")
            #expect(try await app.waitForState(ids[0], ["sent", "failed"]).state == "sent")
            #expect(try await app.waitForState(ids[1], ["sent", "failed"]).state == "sent")
            try await Task.sleep(for: .milliseconds(300))
            // The third waits for tomorrow's (larger) cap.
            let third = try #require(try await app.context.store.queuedMessage(id: ids[2]))
            #expect(third.state == .queued)
            #expect(third.nextAttemptAt > clock.now.addingTimeInterval(60))
            #expect(standIn.times(domain: "example.net").count == 3)
        }
    }

    @Test func warmupRetriesDoNotUseUpTheDailyCap() async throws {
        // The first three SendEmail calls fail with a retryable 500; a cap of 3 still sends all three messages.
        let standIn = try SESStandIn(script: Array(repeating: TestHTTPServer.Response.sesError("InternalFailure", status: 500, message: "oops"), count: 3))
        defer { standIn.server.stop() }
        let (clock, today) = Self.middayClock()
        let app = try await SendTestApp.start(
            settings: [
                "ses.transport": .string("ses"), "ses.endpoint": .string(standIn.endpoint), "ses.max_send_rate": .float(100),
                "ses.max_backoff_seconds": .float(1),
                "pacing.warmup_identities": .array([.string("new.example.com@\(today)")]),
                "pacing.warmup_initial_daily": .integer(3), "pacing.warmup_factor": .float(2),
            ], environment: SendTestApp.staticKeys, now: clock.function)
        try await withFixture(app) { app in
            var ids: [String] = []
            for i in 0..<3 { ids.append(try #require(try await app.post(SendTestApp.message(from: "a@new.example.com", to: ["w\(i)@example.net"])).id)) }
            for id in ids { #expect(try await app.waitForState(id, ["sent", "failed"]).state == "sent") }
            #expect(standIn.sendRequests.count == 6)
        }
    }
}
