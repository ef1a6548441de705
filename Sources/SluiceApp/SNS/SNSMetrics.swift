import SluiceCore

/// The SNS endpoint's counters, resolved once so the hot path is one atomic add per count.
struct SNSMetrics: Sendable {
    private let messages: [SNSTypeLabel: [SNSVerdict: Counter]]
    private let events: [EventKind: Counter]

    init(_ metrics: AppMetrics) {
        var messages: [SNSTypeLabel: [SNSVerdict: Counter]] = [:]
        for type in SNSTypeLabel.allCases {
            var row: [SNSVerdict: Counter] = [:]
            for verdict in SNSVerdict.allCases {
                row[verdict] = try? metrics.registry.counter(
                    "sluice_sns_messages_total", help: "SNS requests by message type and verdict.",
                    labels: ["type": type.rawValue, "verdict": verdict.rawValue])
            }
            messages[type] = row
        }
        var events: [EventKind: Counter] = [:]
        for kind in EventKind.allCases where kind != .sesSend {
            events[kind] = try? metrics.registry.counter(
                "sluice_ses_events_total", help: "SES recipient events stored, by kind.", labels: ["kind": kind.rawValue])
        }
        self.messages = messages
        self.events = events
    }

    func count(_ type: SNSTypeLabel, _ verdict: SNSVerdict) {
        messages[type]?[verdict]?.increment()
    }

    func count(event kind: EventKind, by amount: UInt64 = 1) {
        events[kind]?.increment(by: amount)
    }
}
