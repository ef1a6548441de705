import SluiceCore

extension CounterSample {
    /// The monitoring view of a store counter row (same fields).
    init(_ counter: HourlyCounter) {
        self.init(hourStart: counter.hourStart, identity: counter.identity, kind: counter.kind, count: counter.count)
    }
}
