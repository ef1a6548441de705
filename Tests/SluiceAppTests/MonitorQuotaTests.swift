import Foundation
import SluiceTestSupport
import Testing
import SluiceCore
@testable import SluiceApp

/// The SES quota reaches monitoring: what the send gate reads with GetAccount is what `/v1/stats` and the
/// quota alert judge when `ses.max_24h_send` is 0 (the default).
struct MonitorQuotaTests {
    @Test func theQuotaTheSendGateReadsIsJudgedByTheMonitor() async throws {
        let ses = try TestHTTPServer { request in
            guard request.method == "GET", request.path == "/v2/email/account" else {
                return .sesError("NotFoundException", status: 404, message: "not found")
            }
            return .json(#"{"SendQuota":{"Max24HourSend":1000,"MaxSendRate":10,"SentLast24Hours":900},"SendingEnabled":true}"#)
        }
        let app = try await SendTestApp.start(
            settings: ["ses.transport": .string("ses"), "ses.endpoint": .string(ses.baseURL)], environment: SendTestApp.staticKeys)
        try await withFixture(app) { app in
            let context = app.context
            try await app.waitUntil("GetAccount recorded") {
                await StoredSendQuota(store: context.store).currentQuota(at: context.now()) != nil
            }
            let worker = MonitorWorker(context: context, sinks: [])
            let outcome = try await worker.evaluateOnce(now: context.now())
            #expect(outcome.report.quota.max24h == 1000)
            #expect(outcome.report.quota.sent24h == 900)
            #expect(outcome.report.quota.use == 0.9)
            let quota = try #require(outcome.state.openAlerts.first { $0.rule == .quotaUse })
            #expect(quota.severity == .warning)
        }
    }

    @Test func sesSentFigureIsUsedWhileFreshAndOwnCountersWhenLarger() async throws {
        let store = InMemoryStore()
        let provider = StoredSendQuota(store: store)
        let at = Date(timeIntervalSince1970: 1_795_000_000)
        try await provider.record(max24HourSend: 1000, sentLast24Hours: 900, at: at)
        #expect(await provider.currentQuota(at: at.addingTimeInterval(600)) == SendQuota(max24HourSend: 1000, sentLast24Hours: 900))
        // An hour later SES's figure says little about the last 24 h: the maximum stays, the count goes.
        #expect(await provider.currentQuota(at: at.addingTimeInterval(3601)) == SendQuota(max24HourSend: 1000, sentLast24Hours: nil))

        let hour = HourMath.floor(at)
        let samples = [CounterSample(hourStart: hour, identity: "a.example", kind: .send, count: 950)]
        let report = DeliverabilityStats().report(samples: samples, now: hour.addingTimeInterval(1800),
                                                  quota: SendQuota(max24HourSend: 1000, sentLast24Hours: 900))
        #expect(report.quota.sent24h == 950)
    }

    @Test func theHourStraddlingTheQuotaWindowsStartCountsWhole() {
        // 23.9 h before `now` lies in an hour that started 24.4 h before it: still within SES's rolling 24 h.
        let now = HourMath.floor(Date(timeIntervalSince1970: 1_795_000_000)).addingTimeInterval(1800)
        let straddling = HourMath.floor(now.addingTimeInterval(-86_400))
        let samples = [CounterSample(hourStart: straddling, identity: "a.example", kind: .send, count: 900)]
        let report = DeliverabilityStats().report(samples: samples, now: now, quota: SendQuota(max24HourSend: 1000))
        #expect(report.quota.sent24h == 900)
        #expect(report.quota.use == 0.9)
    }
}
