import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// The account-wide daily quota shared by instances (`SharedQuotaRule` in SQL, migration 3).
@Suite(.serialized) struct PostgresSendQuotaTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)  // 30,000,000 minutes exactly

    /// Each of `stores` tries `attempts` one-recipient sends at once; returns the grants and refusals.
    private func race(_ stores: [PostgresStore], attempts: Int, limit: Double, at date: Date) async throws -> [SharedSendGrant] {
        try await withThrowingTaskGroup(of: SharedSendGrant.self) { group in
            for store in stores {
                for _ in 0..<attempts {
                    group.addTask { try await store.reserveSend(name: "ses", seconds: 0.001, recipients: 1, dailyLimit: limit, at: date) }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func twoInstancesNeverExceedTheDailyQuotaTogether() async throws {
        try await PostgresFixture.withTwoStores { one, two in
            let grants = try await race([one, two], attempts: 150, limit: 100, at: now)
            let granted = grants.filter { if case .granted = $0 { return true } else { return false } }
            #expect(granted.count == 100)
            for grant in grants {
                if case .refused(let used, let retryAfter) = grant {
                    #expect(used == 100)
                    // Nothing expires within the cap: look again in a minute.
                    #expect(retryAfter == PostgresStore.quotaRetryCap)
                }
            }
            // Refusals took no rate slot: the schedule holds exactly the 100 granted stretches.
            let next = try await one.reserveSendSlot(name: "ses", seconds: 0, at: now)
            #expect(abs(next.timeIntervalSince(now) - 0.1) < 0.000_01)
            let state = try await two.sendQuotaState(name: "ses", at: now)
            #expect(state.ledger == 100 && state.used == 100 && state.reservedTotal == 100)
            // Recipients given back (a lost claim) are free again, for either instance, and only them.
            try await two.returnSend(name: "ses", recipients: 7, reservedAt: now)
            let more = try await race([one, two], attempts: 10, limit: 100, at: now.addingTimeInterval(1))
            #expect(more.filter { if case .granted = $0 { return true } else { return false } }.count == 7)
            #expect(try await one.sendQuotaState(name: "ses", at: now).used == 100)
        }
    }

    @Test func seedFromSentLast24HoursCountsNoSendTwice() async throws {
        try await PostgresFixture.withTwoStores { one, two in
            for _ in 0..<30 { _ = try await one.reserveSend(name: "ses", seconds: 0, recipients: 1, dailyLimit: -1, at: now) }
            // A refresh: the mark is read, then SES reports our 30 plus 20 sent by something else on the account.
            let mark = try await two.sendQuotaMark(name: "ses")
            #expect(mark == 30)
            let refreshed = now.addingTimeInterval(10)
            try await two.seedSendQuota(name: "ses", seed: QuotaSeed(sentLast24Hours: 50, mark: mark, at: refreshed))
            #expect(try await one.sendQuotaState(name: "ses", at: refreshed).used == 50)
            // Sends after the mark count on top of SES's figure; the 30 before it are not counted twice.
            for _ in 0..<10 { _ = try await two.reserveSend(name: "ses", seconds: 0, recipients: 1, dailyLimit: 100, at: refreshed) }
            let state = try await one.sendQuotaState(name: "ses", at: refreshed)
            #expect(state.ledger == 40 && state.used == 60)
            // Limit 100: exactly 40 more, across both instances.
            let grants = try await race([one, two], attempts: 30, limit: 100, at: refreshed)
            #expect(grants.filter { if case .granted = $0 { return true } else { return false } }.count == 40)
            // The next refresh: SES now counts all 80 of ours plus the 20. The rule must not add the 80 again.
            let later = refreshed.addingTimeInterval(300)
            let secondMark = try await one.sendQuotaMark(name: "ses")
            #expect(secondMark == 80)
            try await one.seedSendQuota(name: "ses", seed: QuotaSeed(sentLast24Hours: 100, mark: secondMark, at: later))
            #expect(try await two.sendQuotaState(name: "ses", at: later).used == 100)
            // An older refresh answered late does not replace the newer figure.
            try await two.seedSendQuota(name: "ses", seed: QuotaSeed(sentLast24Hours: 0, mark: 0, at: refreshed))
            #expect(try await two.sendQuotaState(name: "ses", at: later).seed?.sentLast24Hours == 100)
            // SES lowered its figure (the other sender's mail aged out): 20 fit again.
            let third = later.addingTimeInterval(300)
            try await one.seedSendQuota(name: "ses", seed: QuotaSeed(sentLast24Hours: 80, mark: try await one.sendQuotaMark(name: "ses"), at: third))
            let after = try await race([one, two], attempts: 15, limit: 100, at: third)
            #expect(after.filter { if case .granted = $0 { return true } else { return false } }.count == 20)
            let final = try await one.sendQuotaState(name: "ses", at: third)
            #expect(final.used == 100 && final.ledger == 100)
        }
    }

    @Test func reservationsExpireAfterTwentyFourHoursAndAMinute() async throws {
        try await PostgresFixture.withTwoStores { one, two in
            #expect(try await one.reserveSend(name: "ses", seconds: 0, recipients: 10, dailyLimit: 10, at: now.addingTimeInterval(30)) == .granted(start: now.addingTimeInterval(30)))
            let expiry = SharedQuotaRule.expiry(ofMinute: SharedQuotaRule.minute(of: now))
            #expect(expiry == now.addingTimeInterval(86_460))
            let before = expiry.addingTimeInterval(-20)
            guard case .refused(let used, let retryAfter) = try await two.reserveSend(name: "ses", seconds: 0, recipients: 1, dailyLimit: 10, at: before)
            else { Issue.record("granted before the bucket expired"); return }
            #expect(used == 10)
            #expect(abs(retryAfter - 20) < 0.001)
            guard case .granted = try await two.reserveSend(name: "ses", seconds: 0, recipients: 10, dailyLimit: 10, at: expiry) else {
                Issue.record("refused after the bucket expired"); return
            }
            let state = try await one.sendQuotaState(name: "ses", at: expiry)
            #expect(state.ledger == 10 && state.used == 10 && state.reservedTotal == 20)
            // The expired bucket is gone from the table, not only from the sum.
            let rows = try await one.read { connection throws(StoreError) in
                try connection.execute("SELECT count(*) FROM send_quota").int(0, 0)
            }
            #expect(rows == 1)
        }
    }

    @Test func unlimitedQuotaStillKeepsTheLedger() async throws {
        try await PostgresFixture.withTwoStores { one, _ in
            let grants = try await race([one], attempts: 20, limit: -1, at: now)
            #expect(grants.allSatisfy { if case .granted = $0 { return true } else { return false } })
            #expect(try await one.sendQuotaState(name: "ses", at: now).ledger == 20)
            // A limit configured later sees what was sent while unlimited.
            guard case .refused = try await one.reserveSend(name: "ses", seconds: 0, recipients: 1, dailyLimit: 20, at: now) else {
                Issue.record("granted over the limit"); return
            }
        }
    }
}
