import Foundation
import Testing
@testable import SluiceCore

/// `SuppressionPolicy.stateNeeded` may leave a part of the state out only where `decide` never reads it:
/// for every kind of event, with the subtypes its rules tell apart, and for states that make each rule take
/// each of its branches, deciding on the state cut down to the declared needs gives the same decision.
struct PolicyStateNeedsTests {
    typealias Fixture = SuppressionPolicyTests
    static let policy = SuppressionPolicy(configuration: SuppressionPolicyConfiguration(liftComplaintOnNotSpam: true))

    /// Subtypes the rules branch on (nil: none).
    static let subtypes: [String?] = [
        nil, "General", "UnsubscribedRecipient", "MailboxFull", "ContentRejected", "not-spam", "abuse",
        SESEventParser.unsubscribeAllSubtype, SESEventParser.optOutSubtype,
    ]

    /// No state; a soft-bounce run inside and outside the window, at the limit's edge; suppressions of every
    /// reason, active or expired, global or scoped; and both at once.
    static let states: [RecipientState] = {
        let counters: [SoftBounceState?] = [
            nil,
            SoftBounceState(address: "a@example.com", count: 2, windowStart: Fixture.t0.addingTimeInterval(-Fixture.day), lastBounce: Fixture.t0),
            SoftBounceState(address: "a@example.com", count: 1, windowStart: Fixture.t0.addingTimeInterval(-90 * Fixture.day), lastBounce: Fixture.t0),
            SoftBounceState(address: "a@example.com", count: 1, windowStart: Fixture.t0.addingTimeInterval(Fixture.day), lastBounce: Fixture.t0),
        ]
        var suppressionSets: [[Suppression]] = [[]]
        for reason in SuppressionReason.allCases {
            suppressionSets.append([Fixture.suppression(reason)])
            suppressionSets.append([Fixture.suppression(reason, expiresAt: Fixture.t0.addingTimeInterval(-1))])
            suppressionSets.append([Fixture.suppression(reason, scope: "News")])
        }
        return counters.flatMap { counter in suppressionSets.map { RecipientState(suppressions: $0, softBounce: counter) } }
    }()

    static func cut(_ state: RecipientState, to needs: RecipientStateNeeds) -> RecipientState {
        RecipientState(
            suppressions: needs.contains(.suppressions) ? state.suppressions : [],
            softBounce: needs.contains(.softBounce) ? state.softBounce : nil
        )
    }

    @Test(arguments: EventKind.allCases)
    func decisionsOnTheNeededStateMatchDecisionsOnAllOfIt(_ kind: EventKind) {
        var compared = 0
        for subtype in Self.subtypes {
            for scope in ["", "News"] {
                let event = Fixture.event(kind, subtype: subtype, scope: scope)
                let needs = Self.policy.stateNeeded(for: event)
                for state in Self.states {
                    let full = Self.policy.decide(event, state: state)
                    let cut = Self.policy.decide(event, state: Self.cut(state, to: needs))
                    #expect(full == cut, "\(kind) \(subtype ?? "-") scope '\(scope)' needs \(needs.rawValue): \(state)")
                    compared += 1
                }
            }
        }
        #expect(compared == Self.subtypes.count * 2 * Self.states.count)
    }

    @Test func theCommonEventsNeedLess() {
        #expect(Self.policy.stateNeeded(for: Fixture.event(.delivery)) == .softBounce)
        #expect(Self.policy.stateNeeded(for: Fixture.event(.complaint)) == .suppressions)
        #expect(Self.policy.stateNeeded(for: Fixture.event(.open)).isEmpty)
        #expect(Self.policy.stateNeeded(for: Fixture.event(.hardBounce)) == .all)
        #expect(Self.policy.stateNeeded(for: Fixture.event(.hardBounce, address: "")).isEmpty)
    }

    /// `applyEvents` reads only the declared parts, and what it decides on the cut state is still applied.
    @Test func applyEventsLooksUpOnlyWhatThePolicyNeeds() throws {
        var rows = CountingRows()
        rows.counter = SoftBounceState(address: "a@example.com", count: 1, windowStart: Fixture.t0.addingTimeInterval(-60), lastBounce: Fixture.t0)
        let message = InboundMessage(
            messageId: "m-1", type: "Notification", topicArn: "arn:aws:sns:us-east-1:123456789012:t", timestamp: Fixture.t0,
            receivedAt: Fixture.t0, endpoint: "default", raw: [], rawFormat: .identity)
        let events = [Fixture.event(.delivery), Fixture.event(.open), Fixture.event(.complaint), Fixture.event(.hardBounce)]
        try rows.applyEvents(events, of: message, policy: Self.policy)
        #expect(rows.suppressionLookups == 2)  // the complaint and the hard bounce
        #expect(rows.softBounceLookups == 2)  // the delivery and the hard bounce
        // The delivery saw the run (a needed part) and cleared it.
        #expect(rows.softBounceChanges == [.clear(address: "a@example.com")])
        #expect(rows.histories == 4)
    }
}

/// A `RecipientEventRows` that counts lookups and keeps the soft-bounce counter it is given.
private struct CountingRows: RecipientEventRows {
    var counter: SoftBounceState?
    var suppressionLookups = 0
    var softBounceLookups = 0
    var softBounceChanges: [SoftBounceChange] = []
    var histories = 0

    mutating func suppressions(of address: String) throws(StoreError) -> [Suppression] {
        suppressionLookups += 1
        return []
    }

    mutating func softBounce(of address: String) throws(StoreError) -> SoftBounceState? {
        softBounceLookups += 1
        return counter
    }

    mutating func apply(_ change: SuppressionChange) throws(StoreError) {}

    mutating func apply(_ change: SoftBounceChange) throws(StoreError) {
        softBounceChanges.append(change)
        if case .clear = change { counter = nil }
    }

    mutating func recordHistory(_ event: RecipientEvent, outcome: String, source: String, at recordedAt: Date) throws(StoreError) {
        histories += 1
    }

    mutating func isRecorded(_ event: RecipientEvent) throws(StoreError) -> Bool { false }

    mutating func count(_ event: RecipientEvent) throws(StoreError) {}
}
