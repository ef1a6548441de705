import Foundation
import SluiceCore
import Testing

/// Behaviour every store implementation must show, written only against the SluiceCore protocols so a
/// PostgreSQL store can run the same checks. Each check gets a fresh, empty store.
enum StoreConformance {
    static let policy = TestPolicy()

    static func ingestStoresAndDeduplicates(_ store: any FeedbackStore & SuppressionStore) async throws {
        let message = InboundMessage.make(id: "msg-1")
        let events = [RecipientEvent.make(.hardBounce, address: "a@example.com", subtype: "General")]
        #expect(try await store.ingest(message, events: events, policy: policy) == .stored(events: 1))
        #expect(try await store.hasMessage(id: "msg-1"))
        #expect(try await store.hasMessage(id: "msg-2") == false)

        // A replay with different content changes nothing.
        let replay = [RecipientEvent.make(.complaint, address: "b@example.com")]
        #expect(try await store.ingest(message, events: replay, policy: policy) == .duplicate)
        #expect(try await store.suppression(for: "b@example.com", scope: nil, at: referenceDate) == nil)
        #expect(try await store.history(address: "a@example.com", limit: 10).count == 1)

        let found = try #require(try await store.suppression(for: "a@example.com", scope: nil, at: referenceDate))
        #expect(found.reason == .hardBounce)
        #expect(found.detail == "General")
        #expect(found.source == events[0].sesMessageId)
    }

    /// A redelivery repeats the MessageId and the SNS Timestamp, however much later it arrives; a raw delivery
    /// (no Timestamp) is keyed by its MessageId alone, so its retries are duplicates too.
    static func redeliveriesDeduplicateByMessageAndTimestamp(_ store: any FeedbackStore & SuppressionStore) async throws {
        let published = InboundMessage.make(id: "signed-1")
        var later = published
        later.receivedAt = referenceDate.addingTimeInterval(3600)
        #expect(try await !store.isStored(published))
        #expect(try await store.ingest(published, events: [], policy: policy) == .stored(events: 0))
        #expect(try await store.isStored(later), "the redelivery is known before it is ingested")
        #expect(try await store.ingest(later, events: [], policy: policy) == .duplicate)

        var raw = InboundMessage.make(id: "raw-1")
        raw.timestamp = nil
        var retried = raw
        retried.receivedAt = referenceDate.addingTimeInterval(60)
        let event = RecipientEvent.make(.hardBounce, address: "raw@example.com")
        #expect(try await store.ingest(raw, events: [event], policy: policy) == .stored(events: 1))
        #expect(try await store.isStored(retried))
        #expect(try await store.ingest(retried, events: [event], policy: policy) == .duplicate)
        #expect(try await store.hasMessage(id: "raw-1"))
        #expect(try await store.history(address: "raw@example.com", limit: 10).count == 1)
    }

    static func failedIngestChangesNothing(_ store: any FeedbackStore & SuppressionStore & CounterStore) async throws {
        let events = [RecipientEvent.make(.hardBounce, address: "ok@example.com"), .make(.hardBounce, address: TestPolicy.poisonAddress)]
        let error = await #expect(throws: StoreError.self) { try await store.ingest(.make(id: "half"), events: events, policy: policy) }
        #expect(error?.code == .invalidInput)
        #expect(try await store.hasMessage(id: "half") == false)
        #expect(try await store.suppression(for: "ok@example.com", scope: nil, at: referenceDate) == nil)
        #expect(try await store.history(address: "ok@example.com", limit: 10).isEmpty)
        #expect(try await store.hourlyCounters(from: .distantPast, to: .distantFuture).isEmpty)
        // The same message without the poison is not a duplicate.
        #expect(try await store.ingest(.make(id: "half"), events: [events[0]], policy: policy) == .stored(events: 1))
    }

    static func policyDecisionsApplied(_ store: any FeedbackStore & SuppressionStore) async throws {
        let address = "soft@example.com"
        var at = referenceDate
        func ingest(_ kind: EventKind) async throws {
            at = at.addingTimeInterval(60)
            _ = try await store.ingest(.make(receivedAt: at), events: [.make(kind, address: address, at: at, subtype: "MailboxFull")], policy: policy)
        }
        try await ingest(.softBounce)
        try await ingest(.softBounce)
        try await ingest(.delivery)  // clears the counter: the next two soft bounces start again at 1
        try await ingest(.softBounce)
        try await ingest(.softBounce)
        #expect(try await store.suppression(for: address, scope: nil, at: at) == nil)
        try await ingest(.softBounce)
        let suppression = try #require(try await store.suppression(for: address, scope: nil, at: at))
        #expect(suppression.reason == .softBounceLimit)
        #expect(suppression.expiresAt == at.addingTimeInterval(14 * 86_400))

        let outcomes = try await store.history(address: address, limit: 10).map(\.outcome)
        #expect(outcomes == [
            "suppressed:soft_bounce_limit", "counted:soft_bounce 2/3", "counted:soft_bounce 1/3", "recorded",
            "counted:soft_bounce 2/3", "counted:soft_bounce 1/3",
        ])
        #expect(try await store.history(address: address, limit: 2).count == 2)
    }

    static func upsertMergesRepeatedSuppressions(_ store: any FeedbackStore & SuppressionStore) async throws {
        let first = RecipientEvent.make(.hardBounce, address: "m@example.com", at: referenceDate, subtype: "General")
        let second = RecipientEvent.make(.complaint, address: "m@example.com", at: referenceDate.addingTimeInterval(3600), subtype: "abuse")
        _ = try await store.ingest(.make(), events: [second], policy: policy)
        _ = try await store.ingest(.make(), events: [first], policy: policy)
        let merged = try #require(try await store.suppression(for: "m@example.com", scope: nil, at: referenceDate))
        #expect(merged.count == 2)
        #expect(merged.firstSeen == referenceDate)  // earliest kept
        #expect(merged.reason == .hardBounce)  // the rest from the newest write
        #expect(merged.lastSeen == referenceDate.addingTimeInterval(3600))  // latest kept, whatever arrived last
        #expect(merged.source == first.sesMessageId)
    }

    static func expiryBoundary(_ store: any SuppressionStore) async throws {
        let expiry = referenceDate.addingTimeInterval(600)
        try await store.putManual(.make(address: "e@example.com", reason: .softBounceLimit, expiresAt: expiry))
        try await store.putManual(.make(address: "f@example.com", reason: .complaint))
        let justBefore = expiry.addingTimeInterval(-0.001)
        #expect(try await store.suppression(for: "e@example.com", scope: nil, at: justBefore) != nil)
        #expect(try await store.suppression(for: "e@example.com", scope: nil, at: expiry) == nil)
        #expect(try await store.suppressed(among: ["e@example.com", "f@example.com"], scope: nil, at: expiry).keys.sorted() == ["f@example.com"])
        #expect(try await store.counts(byReason: justBefore)[.softBounceLimit] == 1)
        #expect(try await store.counts(byReason: expiry)[.softBounceLimit] == 0)
        #expect(try await store.list(SuppressionQuery(activeAt: expiry)).items.map(\.address) == ["f@example.com"])
        #expect(try await store.list(SuppressionQuery()).items.count == 2)  // unpurged rows are still listed

        #expect(try await store.purgeExpired(at: justBefore) == 0)
        #expect(try await store.purgeExpired(at: expiry) == 1)
        #expect(try await store.export(after: nil, limit: 10).items.map(\.address) == ["f@example.com"])
    }

    static func scopeMatching(_ store: any SuppressionStore) async throws {
        try await store.putManual(.make(address: "g@example.com", scope: ""))
        try await store.putManual(.make(address: "l@example.com", scope: "news", reason: .unsubscribed))
        try await store.putManual(.make(address: "t@example.com", scope: "news/weekly", reason: .unsubscribed))
        try await store.putManual(.make(address: "g@example.com", scope: "news", reason: .unsubscribed))
        let cases: [(address: String, scope: String?, suppressedIn: String?)] = [
            ("g@example.com", nil, ""), ("g@example.com", "news", ""), ("g@example.com", "news/weekly", ""),
            ("l@example.com", nil, nil), ("l@example.com", "news", "news"), ("l@example.com", "news/weekly", "news"),
            ("l@example.com", "other", nil),
            ("t@example.com", nil, nil), ("t@example.com", "news", nil), ("t@example.com", "news/weekly", "news/weekly"),
            ("t@example.com", "news/daily", nil),
        ]
        for item in cases {
            let found = try await store.suppression(for: item.address, scope: item.scope, at: referenceDate)
            #expect(found?.scope == item.suppressedIn, "\(item.address) in \(item.scope ?? "nil")")
        }
        let many = try await store.suppressed(among: ["g@example.com", "l@example.com", "t@example.com", "x@example.com"], scope: "news", at: referenceDate)
        #expect(many.keys.sorted() == ["g@example.com", "l@example.com"])
    }

    static func paginationStableUnderInserts(_ store: any SuppressionStore) async throws {
        for name in ["a", "c", "e", "g", "i"] { try await store.putManual(.make(address: "\(name)@example.com")) }
        let first = try await store.list(SuppressionQuery(limit: 2))
        #expect(first.items.map(\.address) == ["a@example.com", "c@example.com"])
        let cursor = try #require(first.nextCursor)
        // Rows inserted before and after the cursor between pages.
        try await store.putManual(.make(address: "b@example.com"))
        try await store.putManual(.make(address: "d@example.com"))
        // The cursor survives a round trip through its opaque token.
        let restored = try #require(SuppressionCursor(token: cursor.token))
        let second = try await store.list(SuppressionQuery(limit: 2, cursor: restored))
        #expect(second.items.map(\.address) == ["d@example.com", "e@example.com"])
        let third = try await store.list(SuppressionQuery(limit: 2, cursor: second.nextCursor))
        #expect(third.items.map(\.address) == ["g@example.com", "i@example.com"])
        #expect(third.nextCursor == nil)
    }

    static func listFilters(_ store: any SuppressionStore) async throws {
        try await store.putManual(.make(address: "a@one.test", reason: .hardBounce, lastSeen: referenceDate))
        try await store.putManual(.make(address: "b@one.test", reason: .complaint, lastSeen: referenceDate.addingTimeInterval(100)))
        try await store.putManual(.make(address: "c@two.test", reason: .complaint, lastSeen: referenceDate.addingTimeInterval(200)))
        func addresses(_ query: SuppressionQuery) async throws -> [String] { try await store.list(query).items.map(\.address) }
        #expect(try await addresses(SuppressionQuery(reason: .complaint)) == ["b@one.test", "c@two.test"])
        #expect(try await addresses(SuppressionQuery(domain: "one.test")) == ["a@one.test", "b@one.test"])
        #expect(try await addresses(SuppressionQuery(since: referenceDate.addingTimeInterval(100))) == ["b@one.test", "c@two.test"])
        #expect(try await addresses(SuppressionQuery(reason: .complaint, domain: "one.test")) == ["b@one.test"])
        #expect(try await addresses(SuppressionQuery(limit: 5000)).count == 3)
    }

    static func importExportRoundTrip(_ source: any SuppressionStore, _ target: any SuppressionStore) async throws {
        let rows = (0..<2500).map { index in
            Suppression.make(
                address: String(format: "user%05d@example.com", index), scope: index % 7 == 0 ? "news" : "",
                reason: SuppressionReason.allCases[index % SuppressionReason.allCases.count],
                count: index % 3 + 1, expiresAt: index % 5 == 0 ? referenceDate.addingTimeInterval(86_400) : nil,
                detail: index % 2 == 0 ? "detail \(index)" : nil
            )
        }
        var imported = 0
        for start in stride(from: 0, to: rows.count, by: 1000) {
            imported += try await source.importBatch(Array(rows[start..<min(start + 1000, rows.count)]))
        }
        #expect(imported == rows.count)

        var exported: [Suppression] = []
        var cursor: SuppressionCursor?
        var pages = 0
        repeat {
            let page = try await source.export(after: cursor, limit: 1000)
            exported += page.items
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        let sorted = rows.sorted { ($0.address, $0.scope) < ($1.address, $1.scope) }
        #expect(exported == sorted)

        #expect(try await target.importBatch(exported) == exported.count)
        #expect(try await target.export(after: nil, limit: 5000).items == sorted)
    }

    static func removeReportsAbsence(_ store: any SuppressionStore) async throws {
        #expect(try await store.remove(address: "r@example.com", scope: "") == false)
        try await store.putManual(.make(address: "r@example.com", scope: "news"))
        #expect(try await store.remove(address: "r@example.com", scope: "") == false)
        #expect(try await store.remove(address: "r@example.com", scope: "news"))
        #expect(try await store.suppression(for: "r@example.com", scope: "news", at: referenceDate) == nil)
        #expect(try await store.remove(address: "r@example.com", scope: "news") == false)
    }

    static func countsByReason(_ store: any SuppressionStore) async throws {
        try await store.putManual(.make(address: "a@example.com", reason: .hardBounce))
        try await store.putManual(.make(address: "b@example.com", reason: .hardBounce))
        try await store.putManual(.make(address: "c@example.com", reason: .complaint))
        try await store.putManual(.make(address: "b@example.com", reason: .manual))  // changes reason
        _ = try await store.remove(address: "c@example.com", scope: "")
        let counts = try await store.counts(byReason: referenceDate)
        #expect(counts[.hardBounce] == 1)
        #expect(counts[.manual] == 1)
        #expect(counts[.complaint] == 0)
        #expect(counts.count == SuppressionReason.allCases.count)
    }

    static func invalidInputRejected(_ store: any SuppressionStore & FeedbackStore) async throws {
        let error = await #expect(throws: StoreError.self) { try await store.putManual(.make(address: "")) }
        #expect(error?.code == .invalidInput)
        let ingestError = await #expect(throws: StoreError.self) {
            try await store.ingest(.make(id: ""), events: [], policy: policy)
        }
        #expect(ingestError?.code == .invalidInput)
    }

    static func countersFromIngestAndSends(_ store: any FeedbackStore & CounterStore) async throws {
        let hour = HourlyCounter.hourStart(of: referenceDate)
        _ = try await store.ingest(.make(), events: [
            .make(.delivery, address: "a@example.com", at: hour.addingTimeInterval(10), identity: "one.test"),
            .make(.delivery, address: "b@example.com", at: hour.addingTimeInterval(20), identity: "one.test"),
            .make(.hardBounce, address: "c@example.com", at: hour.addingTimeInterval(3600), identity: "two.test"),
        ], policy: policy)
        try await store.recordSends(identity: "one.test", count: 5, at: hour.addingTimeInterval(59))
        try await store.recordSends(identity: "one.test", count: 2, at: hour.addingTimeInterval(3599))
        let counters = try await store.hourlyCounters(from: hour, to: hour.addingTimeInterval(7200))
        #expect(Set(counters) == [
            HourlyCounter(hourStart: hour, identity: "one.test", kind: .delivery, count: 2),
            HourlyCounter(hourStart: hour, identity: "one.test", kind: .send, count: 7),
            HourlyCounter(hourStart: hour.addingTimeInterval(3600), identity: "two.test", kind: .hardBounce, count: 1),
        ])
        #expect(try await store.hourlyCounters(from: hour, to: hour.addingTimeInterval(3600)).count == 2)
    }

    /// An account with identity notifications and configuration-set publishing gets each SES event twice,
    /// in two SNS messages: the second is history only (`duplicate`), not a second soft bounce or count.
    static func oneSESEventInTwoMessagesCountsOnce(_ store: any FeedbackStore & SuppressionStore & CounterStore) async throws {
        let hour = HourlyCounter.hourStart(of: referenceDate)
        let bounce = RecipientEvent.make(.softBounce, address: "soft@example.com", at: hour.addingTimeInterval(60), subtype: "MailboxFull")
        let send = RecipientEvent.make(.send, address: "soft@example.com", at: hour.addingTimeInterval(30))
        #expect(try await store.ingest(.make(id: "identity-notification"), events: [bounce], policy: policy) == .stored(events: 1))
        #expect(try await store.ingest(.make(id: "event-publishing"), events: [bounce, send], policy: policy) == .stored(events: 2))
        #expect(try await store.ingest(.make(id: "event-publishing-send"), events: [send], policy: policy) == .stored(events: 1))
        // A later soft bounce of another mail is the second one.
        let next = RecipientEvent.make(.softBounce, address: "soft@example.com", at: hour.addingTimeInterval(120), subtype: "MailboxFull")
        _ = try await store.ingest(.make(id: "next"), events: [next], policy: policy)

        let outcomes = try await store.history(address: "soft@example.com", limit: 10).map(\.outcome)
        #expect(outcomes.sorted() == ["counted:soft_bounce 1/3", "counted:soft_bounce 2/3", "duplicate", "duplicate", "recorded"])
        let counters = try await store.hourlyCounters(from: hour, to: hour.addingTimeInterval(3600))
        #expect(Set(counters) == [
            HourlyCounter(hourStart: hour, identity: "example.com", kind: .softBounce, count: 2),
            HourlyCounter(hourStart: hour, identity: "example.com", kind: .sesSend, count: 1),
        ])
    }

    /// Mail SES never sent (the address is on its account-level list) and mail to the mailbox simulator are
    /// left out of the rates, as SES leaves them out; their suppressions and history are kept.
    static func eventsSESLeavesOutOfItsRatesAreNotCounted(_ store: any FeedbackStore & SuppressionStore & CounterStore) async throws {
        let hour = HourlyCounter.hourStart(of: referenceDate)
        let listed = RecipientEvent.make(.hardBounce, address: "listed@example.com", at: hour.addingTimeInterval(60), subtype: "OnAccountSuppressionList")
        var listedComplaint = RecipientEvent.make(.complaint, address: "listed2@example.com", at: hour.addingTimeInterval(60))
        listedComplaint.detail = "OnAccountSuppressionList"
        let simulated = RecipientEvent.make(.hardBounce, address: "bounce@simulator.amazonses.com", at: hour.addingTimeInterval(60), subtype: "General")
        let real = RecipientEvent.make(.hardBounce, address: "real@example.com", at: hour.addingTimeInterval(60), subtype: "General")
        #expect(try await store.ingest(.make(id: "left-out"), events: [listed, listedComplaint, simulated, real], policy: policy) == .stored(events: 4))
        for address in ["listed@example.com", "listed2@example.com", "bounce@simulator.amazonses.com", "real@example.com"] {
            #expect(try await store.suppression(for: address, scope: nil, at: referenceDate) != nil, "\(address)")
        }
        let counters = try await store.hourlyCounters(from: hour, to: hour.addingTimeInterval(3600))
        #expect(counters == [HourlyCounter(hourStart: hour, identity: "example.com", kind: .hardBounce, count: 1)])
    }

    /// A Subscription event opting out of two topics gives two events of one SES message that differ only in
    /// scope: both apply. The same event in another SNS message is still a duplicate.
    static func eventsOfOneMessageDifferingInScopeAllApply(_ store: any FeedbackStore & SuppressionStore) async throws {
        let weekly = RecipientEvent.make(.complaint, address: "topics@example.com", scope: "news/weekly")
        var daily = weekly
        daily.scope = "news/daily"
        #expect(try await store.ingest(.make(id: "opt-out"), events: [weekly, daily], policy: policy) == .stored(events: 2))
        #expect(try await store.suppression(for: "topics@example.com", scope: "news/weekly", at: referenceDate) != nil)
        #expect(try await store.suppression(for: "topics@example.com", scope: "news/daily", at: referenceDate) != nil)
        _ = try await store.ingest(.make(id: "opt-out-again"), events: [weekly, daily], policy: policy)
        let outcomes = try await store.history(address: "topics@example.com", limit: 10).map(\.outcome)
        #expect(outcomes.sorted() == ["duplicate", "duplicate", "suppressed:complaint", "suppressed:complaint"])
    }

    /// `updateSetting` is one step: concurrent read-change-writes of one key lose none of the changes.
    static func concurrentSettingUpdatesAreAllKept(_ store: any SettingsStore) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<30 {
                group.addTask { try await store.updateSetting("conformance.counter") { ($0 ?? "") + "x" } }
            }
            try await group.waitForAll()
        }
        #expect(try await store.setting("conformance.counter") == String(repeating: "x", count: 30))
        // nil deletes; a refused transform changes nothing.
        #expect(try await store.updateSetting("conformance.counter") { _ in nil } == nil)
        #expect(try await store.setting("conformance.counter") == nil)
        await #expect(throws: StoreError.self) {
            try await store.updateSetting("conformance.counter") { _ throws(StoreError) in throw StoreError(.invalidInput, "refused") }
        }
        #expect(try await store.setting("conformance.counter") == nil)
    }

    static func certificatesSubscriptionsSettings(_ store: any CertificateCacheStore & SubscriptionStore & SettingsStore) async throws {
        let url = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem"
        #expect(try await store.cachedCertificate(url: url) == nil)
        try await store.storeCertificate(url: url, pem: Array("PEM-1".utf8), expiresAt: referenceDate)
        try await store.storeCertificate(url: url, pem: Array("PEM-2".utf8), expiresAt: referenceDate.addingTimeInterval(60))
        let cached = try #require(try await store.cachedCertificate(url: url))
        #expect(cached.pem == Array("PEM-2".utf8))
        #expect(cached.expiresAt == referenceDate.addingTimeInterval(60))

        let topic = "arn:aws:sns:eu-west-1:123456789012:ses-events"
        var record = SNSSubscriptionRecord(topicArn: topic, endpoint: "default", state: .pending, subscribeURL: "https://sns.example/confirm", token: "tok", updatedAt: referenceDate)
        try await store.recordSubscription(record)
        record.state = .confirmed
        record.subscriptionArn = "\(topic):1234"
        try await store.recordSubscription(record)
        try await store.recordSubscription(SNSSubscriptionRecord(topicArn: "arn:aws:sns:eu-west-1:123456789012:a", endpoint: "x", state: .confirmFailed, updatedAt: referenceDate))
        #expect(try await store.subscription(topicArn: topic) == record)
        #expect(try await store.subscriptions().map(\.topicArn) == ["arn:aws:sns:eu-west-1:123456789012:a", topic])
        #expect(try await store.subscription(topicArn: "arn:none") == nil)

        // One record per endpoint of a topic; a state from an older message never replaces a newer one.
        let signed = referenceDate.addingTimeInterval(-600)
        var moved = SNSSubscriptionRecord(
            topicArn: topic, endpoint: "new", state: .confirmed, subscriptionArn: "\(topic):5678", updatedAt: referenceDate, signedAt: signed)
        try await store.recordSubscription(moved)
        #expect(try await store.subscriptions(topicArn: topic).map(\.endpoint) == ["default", "new"])
        #expect(try await store.subscription(topicArn: topic, endpoint: "default") == record)
        #expect(try await store.subscription(topicArn: topic, endpoint: "new") == moved)
        var late = moved
        late.state = .pending
        late.signedAt = signed.addingTimeInterval(-1)
        try await store.recordSubscription(late)
        #expect(try await store.subscription(topicArn: topic, endpoint: "new") == moved, "an older message's state was ignored")
        moved.state = .unsubscribed
        moved.signedAt = signed.addingTimeInterval(1)
        try await store.recordSubscription(moved)
        #expect(try await store.subscription(topicArn: topic, endpoint: "new")?.state == .unsubscribed)
        // A record without a message (the CLI confirming) applies and keeps the stored message time.
        var manual = moved
        manual.state = .confirmed
        manual.signedAt = nil
        try await store.recordSubscription(manual)
        let stored = try await store.subscription(topicArn: topic, endpoint: "new")
        #expect(stored?.state == .confirmed)
        #expect(stored?.signedAt == moved.signedAt)

        #expect(try await store.setting("sending.paused") == nil)
        try await store.setSetting("sending.paused", "true")
        #expect(try await store.setting("sending.paused") == "true")
        try await store.setSetting("sending.paused", "")
        #expect(try await store.setting("sending.paused") == "")
        try await store.setSetting("sending.paused", nil)
        #expect(try await store.setting("sending.paused") == nil)
    }

    static func purgeMessages(_ store: any FeedbackStore & MessageRetentionStore) async throws {
        _ = try await store.ingest(.make(id: "old", receivedAt: referenceDate), events: [.make(.delivery)], policy: policy)
        _ = try await store.ingest(.make(id: "new", receivedAt: referenceDate.addingTimeInterval(3600)), events: [.make(.delivery)], policy: policy)
        #expect(try await store.purgeMessages(olderThan: referenceDate.addingTimeInterval(1)) == 1)
        #expect(try await store.hasMessage(id: "old") == false)
        #expect(try await store.hasMessage(id: "new"))
        #expect(try await store.purgeHistory(olderThan: referenceDate.addingTimeInterval(1)) == 1)
    }

    /// A counter whose window started before the cutoff goes; a live one keeps counting.
    static func purgeSoftBouncesKeepsLiveWindows(_ store: any FeedbackStore & MessageRetentionStore & SuppressionStore) async throws {
        let policy = SuppressionPolicy()
        func bounce(_ address: String, _ seconds: TimeInterval) async throws {
            let event = RecipientEvent.make(.softBounce, address: address, at: referenceDate.addingTimeInterval(seconds), subtype: "MailboxFull")
            _ = try await store.ingest(.make(receivedAt: referenceDate.addingTimeInterval(seconds)), events: [event], policy: policy)
        }
        try await bounce("old@example.com", 0)
        try await bounce("live@example.com", 86_400)
        #expect(try await store.purgeSoftBounces(windowStartedBefore: referenceDate.addingTimeInterval(3600)) == 1)
        #expect(try await store.purgeSoftBounces(windowStartedBefore: referenceDate.addingTimeInterval(3600)) == 0)
        try await bounce("live@example.com", 86_460)
        try await bounce("old@example.com", 120)
        #expect(try await store.history(address: "live@example.com", limit: 10).map(\.outcome).contains { $0.hasSuffix(" 2/3") })
        #expect(try await store.history(address: "old@example.com", limit: 10).map(\.outcome).allSatisfy { $0.hasSuffix(" 1/3") })
    }
}
