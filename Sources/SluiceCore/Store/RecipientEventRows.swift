import Foundation

/// The reads and writes a backend offers inside its ingest transaction. `applyEvents` is the one algorithm
/// every backend runs on them, so SQLite, PostgreSQL and the in-memory twin cannot drift apart.
public protocol RecipientEventRows {
    /// Every suppression of `address` (normalised), any scope.
    mutating func suppressions(of address: String) throws(StoreError) -> [Suppression]
    mutating func softBounce(of address: String) throws(StoreError) -> SoftBounceState?
    mutating func apply(_ change: SuppressionChange) throws(StoreError)
    mutating func apply(_ change: SoftBounceChange) throws(StoreError)
    mutating func recordHistory(_ event: RecipientEvent, outcome: String, source: String, at recordedAt: Date) throws(StoreError)
    /// Whether history already holds `event`: the same SES message, address, kind and time.
    mutating func isRecorded(_ event: RecipientEvent) throws(StoreError) -> Bool
    /// Adds one to the hourly counter of the event's identity and kind.
    mutating func count(_ event: RecipientEvent) throws(StoreError)
}

extension RecipientEventRows {
    /// The history outcome of an event seen before in another SNS message.
    public static var duplicateOutcome: String { "duplicate" }

    /// For each event: read the recipient's state (the parts `policy` needs for it), let `policy` decide, write
    /// its changes, the history entry (events without an address have none) and the counter. An event history
    /// already holds is recorded as a duplicate and decides and counts nothing. Any error leaves the caller to
    /// roll back.
    public mutating func applyEvents(_ events: [RecipientEvent], of message: InboundMessage, policy: any RecipientEventPolicy) throws(StoreError) {
        // One SES event can arrive in two SNS messages: by identity notification and by configuration-set
        // publishing when an account has both. Counted twice, it would suppress after half the soft bounces
        // and double the rates that protection judges. Asked for every event before any is written: the
        // events of one message are distinct (the builder drops repeats), but some differ only in scope (a
        // Subscription event opting out of two topics), which the history key does not hold, so the first one
        // written would make the second look seen.
        var seen: [Bool] = []
        seen.reserveCapacity(events.count)
        for event in events {
            seen.append(!event.address.isEmpty && !event.sesMessageId.isEmpty ? try isRecorded(event) : false)
        }
        for (event, recorded) in zip(events, seen) {
            if recorded {
                try recordHistory(event, outcome: Self.duplicateOutcome, source: message.messageId, at: message.receivedAt)
                continue
            }
            let needs = policy.stateNeeded(for: event)
            let state = RecipientState(
                suppressions: needs.contains(.suppressions) ? try suppressions(of: event.address) : [],
                softBounce: needs.contains(.softBounce) ? try softBounce(of: event.address) : nil
            )
            let decision = policy.decide(event, state: state)
            for change in decision.suppressionChanges {
                try apply(change)
            }
            if let change = decision.softBounceChange {
                try apply(change)
            }
            if !event.address.isEmpty {
                try recordHistory(event, outcome: decision.outcome, source: message.messageId, at: message.receivedAt)
            }
            if !event.countsTowardsRates {
                // History only: a "not spam" report, mail SES never sent, mail to the simulator.
            } else if event.kind == .send {
                // Counted apart from the gate's own sends of the same mail (see `EventKind.sesSend`).
                var counted = event
                counted.kind = .sesSend
                try count(counted)
            } else {
                try count(event)
            }
        }
    }
}
