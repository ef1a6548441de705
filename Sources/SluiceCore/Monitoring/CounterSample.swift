import Foundation

/// Monitoring reads the store's hourly counter rows as they are.
public typealias CounterSample = HourlyCounter

extension HourlyCounter {
    /// The samples with each hour and identity's sends counted once: the larger of the gate's own count
    /// (`send`) and SES's Send events (`ses_send`). When configuration-set publishing includes Send events,
    /// both count the same mail; SES's figure also covers mail sent outside the gate, the gate's covers
    /// accounts that publish no Send events. Other kinds pass through unchanged.
    public static func reconcilingSends(_ samples: [HourlyCounter]) -> [HourlyCounter] {
        struct Key: Hashable {
            var hourStart: Double
            var identity: String
        }
        var gate: [Key: Int] = [:]
        var ses: [Key: Int] = [:]
        var out: [HourlyCounter] = []
        out.reserveCapacity(samples.count)
        for sample in samples {
            let key = Key(hourStart: sample.hourStart.timeIntervalSince1970, identity: sample.identity)
            switch sample.kind {
            case .send: gate[key, default: 0] += sample.count
            case .sesSend: ses[key, default: 0] += sample.count
            default: out.append(sample)
            }
        }
        for key in Set(gate.keys).union(ses.keys) {
            let count = max(gate[key] ?? 0, ses[key] ?? 0)
            out.append(HourlyCounter(
                hourStart: Date(timeIntervalSince1970: key.hourStart), identity: key.identity, kind: .send, count: count
            ))
        }
        return out.sorted { ($0.hourStart, $0.identity, $0.kind.rawValue) < ($1.hourStart, $1.identity, $1.kind.rawValue) }
    }
}
