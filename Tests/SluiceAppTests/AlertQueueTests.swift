import Foundation
import Testing
import SluiceCore
@testable import SluiceApp

/// The webhook's queue: overall alerts go first and are dropped last.
struct AlertQueueTests {
    static func note(_ name: String, _ scope: AlertScope, _ severity: AlertSeverity = .critical) -> AlertNotification {
        AlertNotification(id: name, rule: .bounceRate, severity: severity, status: .firing, scope: scope, value: nil, threshold: nil,
                          message: name, at: MonitorFixture.start)
    }

    @Test func aBigIncidentKeepsItsOverallAlertAndDropsIdentityOnesFirst() {
        var queue = AlertQueue(capacity: 100)
        var dropped: [AlertNotification] = []
        // 150 identity alerts arrive before the overall one (as `identity:` sorts before `overall`).
        for i in 0..<150 {
            if let d = queue.push(Self.note("id\(i)", .identity("id\(i).example"), i.isMultiple(of: 2) ? .critical : .warning)) { dropped.append(d) }
        }
        if let d = queue.push(Self.note("overall", .overall)) { dropped.append(d) }
        #expect(queue.count == 100)
        #expect(dropped.count == 51)
        #expect(!dropped.contains { $0.scope == .overall })
        // Only warnings went: the 75 identity warnings were the least important waiting.
        #expect(dropped.prefix(50).allSatisfy { $0.severity == .warning })
        #expect(queue.pop()?.id == "overall")
    }

    @Test func overallNotificationsGoAheadOfIdentityOnesInArrivalOrder() {
        var queue = AlertQueue(capacity: 10)
        _ = queue.push(Self.note("i1", .identity("a")))
        _ = queue.push(Self.note("o1", .overall, .warning))
        _ = queue.push(Self.note("i2", .identity("b")))
        _ = queue.push(Self.note("o2", .overall))
        var order: [String] = []
        while let n = queue.pop() { order.append(n.id) }
        #expect(order == ["o1", "o2", "i1", "i2"])
    }

    @Test func aNewcomerRankingBelowEverythingWaitingIsTheOneDropped() {
        var queue = AlertQueue(capacity: 2)
        _ = queue.push(Self.note("o1", .overall))
        _ = queue.push(Self.note("o2", .overall, .warning))
        #expect(queue.push(Self.note("i1", .identity("a")))?.id == "i1")
        // Equal rank: the oldest of that rank goes, as before.
        #expect(queue.push(Self.note("o3", .overall, .warning))?.id == "o2")
        #expect(queue.removeAll().map(\.id) == ["o1", "o3"])
        #expect(queue.isEmpty)
    }
}
