import Foundation
import Testing
@testable import SluiceCore

/// Applies decisions the way the store contract in `RecipientEventPolicy.swift` describes.
struct PolicyHarness {
    var policy = SuppressionPolicy()
    var state = RecipientState()

    @discardableResult
    mutating func feed(_ event: RecipientEvent) -> RecipientDecision {
        let decision = policy.decide(event, state: state)
        for change in decision.suppressionChanges {
            switch change {
            case .upsert(let new):
                if let index = state.suppressions.firstIndex(where: { $0.address == new.address && $0.scope == new.scope }) {
                    var merged = new
                    merged.firstSeen = min(state.suppressions[index].firstSeen, new.firstSeen)
                    merged.count = state.suppressions[index].count + new.count
                    state.suppressions[index] = merged
                } else {
                    state.suppressions.append(new)
                }
            case .remove(let address, let scope, let reasons):
                state.suppressions.removeAll { $0.address == address && $0.scope == scope && reasons.contains($0.reason) }
            }
        }
        switch decision.softBounceChange {
        case .set(let counter): state.softBounce = counter
        case .clear: state.softBounce = nil
        case nil: break
        }
        return decision
    }
}

struct SuppressionPolicyTests {
    static let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    static let day: TimeInterval = 86_400

    static func event(
        _ kind: EventKind, subtype: String? = nil, detail: String? = nil, scope: String = "", at offset: TimeInterval = 0,
        address: String = "a@example.com", id: String = "ses-1"
    ) -> RecipientEvent {
        RecipientEvent(
            kind: kind, address: address, originalAddress: address.uppercased(), sesMessageId: id,
            timestamp: t0.addingTimeInterval(offset), identity: "example.com", subtype: subtype, detail: detail, scope: scope
        )
    }

    static func suppression(_ reason: SuppressionReason, scope: String = "", expiresAt: Date? = nil) -> Suppression {
        Suppression(address: "a@example.com", scope: scope, reason: reason, firstSeen: t0.addingTimeInterval(-100 * day),
                    source: "operator:ops", expiresAt: expiresAt)
    }

    @Test(arguments: ["General", "NoEmail", "Suppressed", "OnAccountSuppressionList"])
    func permanentBounceSuppressesAtOnce(_ subtype: String) {
        let decision = SuppressionPolicy().decide(Self.event(.hardBounce, subtype: subtype, id: "msg-9"), state: RecipientState())
        #expect(decision.outcome == "suppressed:hard_bounce")
        #expect(decision.suppressionChanges == [.upsert(Suppression(
            address: "a@example.com", originalAddress: "A@EXAMPLE.COM", scope: "", reason: .hardBounce, detail: subtype,
            firstSeen: Self.t0, count: 1, source: "msg-9", expiresAt: nil
        ))])
    }

    @Test(arguments: [("News/Weekly", "News/Weekly"), ("News", "News"), ("", "")])
    func unsubscribedRecipientBounceSuppressesInItsScope(_ scope: String, _ expected: String) throws {
        let decision = SuppressionPolicy().decide(Self.event(.hardBounce, subtype: "UnsubscribedRecipient", scope: scope), state: RecipientState())
        #expect(decision.outcome == "suppressed:unsubscribed")
        guard case .upsert(let s) = try #require(decision.suppressionChanges.first) else { Issue.record("no upsert"); return }
        #expect(s.scope == expected)
        #expect(s.reason == .unsubscribed)
    }

    @Test func softBouncesBelowTheLimitOnlyCount() {
        var harness = PolicyHarness()
        #expect(harness.feed(Self.event(.softBounce, subtype: "General", at: 0)).outcome == "counted:soft_bounce 1/3")
        let second = harness.feed(Self.event(.softBounce, subtype: "General", at: Self.day))
        #expect(second.outcome == "counted:soft_bounce 2/3")
        #expect(second.suppressionChanges.isEmpty)
        #expect(harness.state.softBounce == SoftBounceState(
            address: "a@example.com", count: 2, windowStart: Self.t0, lastBounce: Self.t0.addingTimeInterval(Self.day),
            lastSubtype: "General"
        ))
    }

    @Test func theNthSoftBounceSuppressesWithExpiry() throws {
        var harness = PolicyHarness()
        harness.feed(Self.event(.softBounce, at: 0))
        harness.feed(Self.event(.softBounce, subtype: "MailboxFull", at: Self.day))
        let third = harness.feed(Self.event(.softBounce, subtype: "General", at: 2 * Self.day, id: "ses-3"))
        #expect(third.outcome == "suppressed:soft_bounce_limit")
        #expect(third.softBounceChange == .clear(address: "a@example.com"))
        let s = try #require(harness.state.suppressions.first)
        #expect(s.reason == .softBounceLimit)
        #expect(s.source == "ses-3")
        let expiry = Self.t0.addingTimeInterval(2 * Self.day + 30 * Self.day)
        #expect(s.expiresAt == expiry)
        #expect(s.isActive(at: expiry.addingTimeInterval(-1)))
        #expect(!s.isActive(at: expiry))
        #expect(harness.state.softBounce == nil)
    }

    @Test func bounceJustInsideTheWindowCounts() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.softBounce, at: 0))
        harness.feed(Self.event(.softBounce, at: 3 * Self.day))
        #expect(harness.feed(Self.event(.softBounce, at: 7 * Self.day)).outcome == "suppressed:soft_bounce_limit")
    }

    /// The run's first bounce leaves the window: the window slides to the last bounce, which is still in it.
    @Test func bounceJustOutsideTheWindowSlidesItToTheLastBounce() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.softBounce, at: 0))
        harness.feed(Self.event(.softBounce, at: 3 * Self.day))
        let late = harness.feed(Self.event(.softBounce, at: 7 * Self.day + 1))
        #expect(late.outcome == "counted:soft_bounce 2/3")
        #expect(harness.state.softBounce?.windowStart == Self.t0.addingTimeInterval(3 * Self.day))
        #expect(harness.state.suppressions.isEmpty)
        // Three bounces within 7 days (days 3, 7 and 9): suppressed.
        #expect(harness.feed(Self.event(.softBounce, at: 9 * Self.day)).outcome == "suppressed:soft_bounce_limit")
    }

    @Test func aBounceAfterAGapLongerThanTheWindowStartsANewRun() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.softBounce, at: 0))
        harness.feed(Self.event(.softBounce, at: Self.day))
        let late = harness.feed(Self.event(.softBounce, at: 8 * Self.day + 1))
        #expect(late.outcome == "counted:soft_bounce 1/3")
        #expect(harness.state.softBounce?.windowStart == Self.t0.addingTimeInterval(8 * Self.day + 1))
    }

    /// A delivery that arrives late, from inside the run, does not clear the bounces that came after it.
    @Test func aLateDeliveryFromInsideTheRunKeepsTheBounceAfterIt() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.softBounce, at: 0))
        harness.feed(Self.event(.softBounce, at: 2 * Self.day))
        harness.feed(Self.event(.delivery, at: Self.day))
        #expect(harness.state.softBounce?.count == 1)
        #expect(harness.state.softBounce?.windowStart == Self.t0.addingTimeInterval(2 * Self.day))
        // A delivery after the last bounce clears the run.
        harness.feed(Self.event(.delivery, at: 3 * Self.day))
        #expect(harness.state.softBounce == nil)
    }

    /// A late bounce older than the run joins it only while the whole span still fits the window.
    @Test func aLateOlderBounceCountsOnlyInsideTheWindow() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.softBounce, at: 9 * Self.day))
        harness.feed(Self.event(.softBounce, at: 15 * Self.day))
        let stale = harness.feed(Self.event(.softBounce, at: 0))  // 15 days before the run's last bounce
        #expect(stale.outcome == "recorded:soft_bounce before the current run")
        #expect(stale.softBounceChange == nil)
        #expect(harness.state.softBounce?.count == 2)
        let inside = harness.feed(Self.event(.softBounce, at: 8 * Self.day + 1))  // span 7 days - 1 s: fits
        #expect(inside.outcome == "suppressed:soft_bounce_limit")
    }

    @Test func deliveryResetsTheCount() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.softBounce, at: 0))
        harness.feed(Self.event(.softBounce, at: 60))
        let delivery = harness.feed(Self.event(.delivery, at: 120))
        #expect(delivery.outcome == "recorded")
        #expect(delivery.softBounceChange == .clear(address: "a@example.com"))
        #expect(harness.feed(Self.event(.softBounce, at: 180)).outcome == "counted:soft_bounce 1/3")
    }

    @Test func deliveryBeforeTheWindowDoesNotReset() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.softBounce, at: 100))
        let stale = harness.feed(Self.event(.delivery, at: 50))
        #expect(stale.softBounceChange == nil)
        #expect(harness.feed(Self.event(.softBounce, at: 200)).outcome == "counted:soft_bounce 2/3")
    }

    @Test(arguments: [
        ("ContentRejected", "recorded:soft_bounce_content_rejected"),
        ("MessageTooLarge", "recorded:soft_bounce_message_too_large"),
        ("AttachmentRejected", "recorded:soft_bounce_attachment_rejected"),
    ])
    func messageRelatedSoftBouncesDoNotCount(_ subtype: String, _ outcome: String) {
        var harness = PolicyHarness()
        for minute in 0..<5 {
            let decision = harness.feed(Self.event(.softBounce, subtype: subtype, at: TimeInterval(minute * 60)))
            #expect(decision.outcome == outcome)
            #expect(decision.softBounceChange == nil)
        }
        #expect(harness.state.suppressions.isEmpty)
        #expect(harness.state.softBounce == nil)
    }

    @Test func nonCountingSubtypesAreConfigurable() {
        var harness = PolicyHarness(policy: SuppressionPolicy(configuration: SuppressionPolicyConfiguration(
            softBounceLimit: 2, softBounceWindow: Self.day, softBounceSuppressionDuration: 3600,
            nonCountingSoftBounceSubtypes: []
        )))
        #expect(harness.feed(Self.event(.softBounce, subtype: "ContentRejected", at: 0)).outcome
            == "counted:soft_bounce_content_rejected 1/2")
        #expect(harness.feed(Self.event(.softBounce, subtype: "ContentRejected", at: 10)).outcome == "suppressed:soft_bounce_limit")
        #expect(harness.state.suppressions.first?.expiresAt == Self.t0.addingTimeInterval(10 + 3600))
    }

    @Test func undeterminedBounceIsRecordedOnly() {
        let decision = SuppressionPolicy().decide(Self.event(.undeterminedBounce, subtype: "Undetermined"), state: RecipientState())
        #expect(decision == RecipientDecision(outcome: "recorded:undetermined_bounce"))
    }

    @Test(arguments: [("abuse", nil, "abuse"), (nil, "OnAccountSuppressionList", "OnAccountSuppressionList"),
                      ("fraud", "OnAccountSuppressionList", "fraud"), (nil, nil, nil)] as [(String?, String?, String?)])
    func complaintSuppressesAtOnce(_ feedback: String?, _ complaintSubType: String?, _ detail: String?) throws {
        let decision = SuppressionPolicy().decide(
            Self.event(.complaint, subtype: feedback, detail: complaintSubType), state: RecipientState()
        )
        #expect(decision.outcome == "suppressed:complaint")
        guard case .upsert(let s) = try #require(decision.suppressionChanges.first) else { Issue.record("no upsert"); return }
        #expect(s.reason == .complaint)
        #expect(s.detail == detail)
        #expect(s.scope == "")
        #expect(s.expiresAt == nil)
    }

    @Test func notSpamRemovesAnEarlierComplaintOnly() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.complaint, subtype: "abuse", at: 0))
        harness.state.suppressions.append(Self.suppression(.manual, scope: "News"))
        let decision = harness.feed(Self.event(.complaint, subtype: "not-spam", at: 60))
        #expect(decision.outcome == "unsuppressed:complaint")
        #expect(decision.suppressionChanges == [.remove(address: "a@example.com", scope: "", reasons: [.complaint])])
        #expect(harness.state.suppressions.map(\.reason) == [.manual])
    }

    /// Notifications arrive unordered: a not-spam report older than the complaint it would lift leaves it.
    @Test func anOlderNotSpamReportLeavesALaterComplaint() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.complaint, subtype: "abuse", at: 120))
        let decision = harness.feed(Self.event(.complaint, subtype: "not-spam", at: 60))
        #expect(decision == RecipientDecision(outcome: "recorded:not_spam"))
        #expect(harness.state.suppressions.map(\.reason) == [.complaint])
    }

    @Test func notSpamWithoutAComplaintSuppressesNothing() {
        var harness = PolicyHarness()
        harness.state.suppressions = [Self.suppression(.manual)]
        let decision = harness.feed(Self.event(.complaint, subtype: "not-spam"))
        #expect(decision.outcome == "recorded:not_spam")
        #expect(harness.state.suppressions.map(\.reason) == [.manual])
    }

    @Test func manualSuppressionIsNeverOverwritten() {
        for kind in [EventKind.hardBounce, .complaint] {
            let state = RecipientState(suppressions: [Self.suppression(.manual)])
            let decision = SuppressionPolicy().decide(Self.event(kind, subtype: "General"), state: state)
            #expect(decision.outcome == "kept:manual")
            #expect(decision.suppressionChanges.isEmpty)
        }
    }

    /// (existing reason, its expiry in days or nil, event kind, hard/complaint duration in days or nil,
    /// expected outcome, expected reason, expected expiry in days or nil): a stronger row is kept only when
    /// it lasts at least as long as the new one; the result never ends earlier than either.
    static let competing: [(SuppressionReason, Double?, EventKind, Double?, String, SuppressionReason, Double?)] = [
        (.manual, 30, .hardBounce, nil, "suppressed:hard_bounce", .hardBounce, nil),
        (.manual, 30, .complaint, nil, "suppressed:complaint", .complaint, nil),
        (.manual, 30, .hardBounce, 365, "suppressed:hard_bounce", .hardBounce, 365),
        (.manual, 400, .hardBounce, 365, "kept:manual", .manual, 400),
        (.manual, 365, .hardBounce, 365, "kept:manual", .manual, 365),
        (.manual, nil, .hardBounce, nil, "kept:manual", .manual, nil),
        (.hardBounce, 30, .complaint, nil, "suppressed:complaint", .complaint, nil),
        (.hardBounce, nil, .complaint, 730, "kept:hard_bounce", .hardBounce, nil),
        (.complaint, nil, .hardBounce, 365, "suppressed:hard_bounce", .hardBounce, nil),
        (.unsubscribed, 30, .complaint, 10, "kept:unsubscribed", .unsubscribed, 30),
    ]

    @Test(arguments: competing)
    func strongerSuppressionIsKeptOnlyWhileItLastsAsLong(
        _ existing: SuppressionReason, _ existingDays: Double?, _ kind: EventKind, _ durationDays: Double?,
        _ outcome: String, _ reason: SuppressionReason, _ days: Double?
    ) {
        let duration = durationDays.map { $0 * Self.day }
        var harness = PolicyHarness(policy: SuppressionPolicy(configuration: SuppressionPolicyConfiguration(
            hardBounceSuppressionDuration: duration, complaintSuppressionDuration: duration
        )))
        harness.state.suppressions = [Self.suppression(existing, expiresAt: existingDays.map { Self.t0.addingTimeInterval($0 * Self.day) })]
        #expect(harness.feed(Self.event(kind, subtype: "General")).outcome == outcome)
        #expect(harness.state.suppressions.map(\.reason) == [reason])
        #expect(harness.state.suppressions.first?.expiresAt == days.map { Self.t0.addingTimeInterval($0 * Self.day) })
    }

    @Test func permanentSuppressionIsNotDowngradedToExpiring() {
        var harness = PolicyHarness()
        harness.feed(Self.event(.hardBounce, subtype: "General", at: 0))
        harness.feed(Self.event(.softBounce, at: 10))
        harness.feed(Self.event(.softBounce, at: 20))
        let third = harness.feed(Self.event(.softBounce, at: 30))
        #expect(third.outcome == "kept:hard_bounce")
        #expect(harness.state.suppressions.count == 1)
        #expect(harness.state.suppressions.first?.expiresAt == nil)
        #expect(harness.state.softBounce == nil)
    }

    @Test func hardBounceReplacesAnExpiringSuppressionAndClearsTheCounter() {
        var harness = PolicyHarness()
        harness.state.suppressions = [Self.suppression(.softBounceLimit, expiresAt: Self.t0.addingTimeInterval(Self.day))]
        harness.state.softBounce = SoftBounceState(address: "a@example.com", count: 1, windowStart: Self.t0, lastBounce: Self.t0)
        let decision = harness.feed(Self.event(.hardBounce, subtype: "NoEmail", at: 10))
        #expect(decision.outcome == "suppressed:hard_bounce")
        #expect(decision.softBounceChange == .clear(address: "a@example.com"))
        #expect(harness.state.suppressions.map(\.reason) == [.hardBounce])
        #expect(harness.state.suppressions.first?.expiresAt == nil)
    }

    @Test func expiredSuppressionDoesNotBlock() {
        let state = RecipientState(suppressions: [Self.suppression(.manual, expiresAt: Self.t0)])
        #expect(SuppressionPolicy().decide(Self.event(.hardBounce, at: 0), state: state).outcome == "suppressed:hard_bounce")
    }

    @Test func refreshingASoftBounceSuppressionNeverShortensIt() throws {
        let later = Self.t0.addingTimeInterval(40 * Self.day)
        var harness = PolicyHarness()
        harness.state.suppressions = [Self.suppression(.softBounceLimit, expiresAt: later)]
        harness.state.softBounce = SoftBounceState(address: "a@example.com", count: 2, windowStart: Self.t0, lastBounce: Self.t0)
        #expect(harness.feed(Self.event(.softBounce, at: 60)).outcome == "suppressed:soft_bounce_limit")
        #expect(harness.state.suppressions.first?.expiresAt == later)
        #expect(harness.state.suppressions.first?.count == 2)
    }

    @Test func unsubscribesInSeveralScopesAreSeparateRows() {
        var harness = PolicyHarness()
        harness.state.suppressions = [Self.suppression(.manual)]
        for topic in ["News/Weekly", "News/Daily"] {
            let decision = harness.feed(Self.event(.subscription, subtype: "OptOut", detail: "UnsubscribeHeader", scope: topic))
            #expect(decision.outcome == "suppressed:unsubscribed")
        }
        harness.feed(Self.event(.subscription, subtype: "UnsubscribeAll", scope: "Offers"))
        #expect(harness.state.suppressions.map(\.scope) == ["", "News/Weekly", "News/Daily", "Offers"])
        #expect(harness.state.suppressions.map(\.reason) == [.manual, .unsubscribed, .unsubscribed, .unsubscribed])
        #expect(harness.state.suppressions[1].detail == "UnsubscribeHeader")
        #expect(harness.state.suppressions[3].detail == "UnsubscribeAll")
    }

    /// An opt-in is recorded only: SES's preferences do not know Sluice's own unsubscribes (one-click, API),
    /// so lifting on them could re-subscribe someone who left through Sluice.
    @Test func optInIsRecordedOnly() {
        let decision = SuppressionPolicy().decide(Self.event(.subscription, subtype: "OptIn", scope: "News"), state: RecipientState())
        #expect(decision == RecipientDecision(outcome: "recorded"))
    }

    @Test(arguments: [EventKind.send, .reject, .deliveryDelay, .open, .click, .renderingFailure, .unknown])
    func otherKindsAreRecorded(_ kind: EventKind) {
        let state = RecipientState(softBounce: SoftBounceState(address: "a@example.com", count: 2, windowStart: Self.t0, lastBounce: Self.t0))
        #expect(SuppressionPolicy().decide(Self.event(kind, at: 10), state: state) == RecipientDecision(outcome: "recorded"))
    }

    @Test func eventWithoutAddressIsRecorded() {
        #expect(SuppressionPolicy().decide(Self.event(.hardBounce, address: ""), state: RecipientState()).outcome == "recorded")
    }

    @Test func configuredExpiriesApply() throws {
        let policy = SuppressionPolicy(configuration: SuppressionPolicyConfiguration(
            hardBounceSuppressionDuration: 365 * Self.day, complaintSuppressionDuration: 730 * Self.day,
            liftComplaintOnNotSpam: false
        ))
        guard case .upsert(let hard) = try #require(policy.decide(Self.event(.hardBounce), state: RecipientState()).suppressionChanges.first),
              case .upsert(let complaint) = try #require(policy.decide(Self.event(.complaint), state: RecipientState()).suppressionChanges.first)
        else { Issue.record("expected upserts"); return }
        #expect(hard.expiresAt == Self.t0.addingTimeInterval(365 * Self.day))
        #expect(complaint.expiresAt == Self.t0.addingTimeInterval(730 * Self.day))
        let state = RecipientState(suppressions: [Self.suppression(.complaint)])
        #expect(policy.decide(Self.event(.complaint, subtype: "not-spam"), state: state) == RecipientDecision(outcome: "recorded:not_spam"))
    }
}
