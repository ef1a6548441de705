import Foundation

extension AlertEngine {
    /// Keeps at most `maxIdentityAlerts` identity alerts open. Open ones stay (their episodes go on); new
    /// breaches take the room left, worst first, and the rest are counted in one `identity:*` alert per rule,
    /// recomputed at every evaluation, so they neither fire one by one nor grow the persisted state.
    func capIdentityAlerts(_ observations: [AlertObservation], previous: AlertState) -> [AlertObservation] {
        func individual(_ scope: AlertScope) -> Bool {
            if case .identity = scope { return scope != .otherIdentities }
            return false
        }
        let open = previous.active.values.reduce(0) { individual($1.scope) ? $0 + 1 : $0 }
        var room = max(0, configuration.maxIdentityAlerts - open)
        let fresh = observations.indices.filter { i in
            let o = observations[i]
            return o.judged && o.severity != nil && individual(o.scope) && previous.active[o.key] == nil
        }
        var left = Set<Int>()
        var excess: [AlertRule: [AlertObservation]] = [:]
        for i in fresh.sorted(by: { Self.worse(observations[$0], observations[$1]) }) {
            if room > 0 {
                room -= 1
            } else {
                left.insert(i)
                excess[observations[i].rule, default: []].append(observations[i])
            }
        }
        guard !left.isEmpty || previous.active.values.contains(where: { $0.scope == .otherIdentities }) else { return observations }
        var out = observations.indices.filter { !left.contains($0) }.map { observations[$0] }
        let rules = Set(excess.keys).union(previous.active.values.filter { $0.scope == .otherIdentities }.map(\.rule))
        for rule in rules.sorted(by: { $0.rawValue < $1.rawValue }) {
            out.append(aggregate(rule, excess[rule] ?? []))
        }
        return out
    }

    /// Higher severity, then higher value, then key: the order in which new identity breaches get the room.
    static func worse(_ a: AlertObservation, _ b: AlertObservation) -> Bool {
        if a.severity != b.severity { return (a.severity ?? .warning) > (b.severity ?? .warning) }
        if a.value != b.value { return (a.value ?? 0) > (b.value ?? 0) }
        return a.key < b.key
    }

    /// The `identity:*` observation of `rule`: holding at the worst severity among `excess` (sorted worst
    /// first), its value the number of identities; clear when there are none.
    private func aggregate(_ rule: AlertRule, _ excess: [AlertObservation]) -> AlertObservation {
        let cap = configuration.maxIdentityAlerts
        guard let worst = excess.first else {
            return AlertObservation(rule: rule, scope: .otherIdentities, severity: nil, value: 0, threshold: nil,
                                    message: "no \(rule.rawValue) breaches beyond the \(cap) identity alerts")
        }
        let named = excess.prefix(5).map { o -> String in
            let name: String
            if case .identity(let n) = o.scope { name = n.count > 64 ? String(n.prefix(63)) + "…" : n } else { name = "?" }
            return o.value.map { "\(name) \(RateFormat.percent($0))" } ?? name
        }
        let more = excess.count > named.count ? ", …" : ""
        return AlertObservation(
            rule: rule, scope: .otherIdentities, severity: excess.compactMap(\.severity).max() ?? worst.severity,
            value: Double(excess.count), threshold: nil,
            message: "\(excess.count) more identities breach \(rule.rawValue) beyond the \(cap) identity alerts kept: "
                + named.joined(separator: ", ") + more
        )
    }
}
