import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// An ingest sums its counter increments and writes each counter once, in one shard, in key order.
@Suite(.serialized) struct PostgresHourlyCounterTests {
    @Test func anIngestWritesEachCounterOnceInOneShard() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 1)
        defer { store.close() }
        let events: [RecipientEvent] = (0..<5).map { .make(.delivery, address: "d\($0)@example.com", identity: "a.example") }
            + (0..<3).map { .make(.hardBounce, address: "h\($0)@example.com", identity: "b.example") }
        #expect(try await store.ingest(.make(), events: events, policy: TestPolicy()) == .stored(events: 8))
        let rows = try await store.read { connection throws(StoreError) in
            let result = try connection.execute("SELECT identity, kind, shard, count FROM hourly_counters ORDER BY identity, kind")
            return (0..<result.rowCount).map { (result.string($0, 0), result.string($0, 1), result.int($0, 2), result.int($0, 3)) }
        }
        #expect(rows.map { "\($0.0) \($0.1) \($0.3)" } == ["a.example delivery 5", "b.example hard_bounce 3"])
        #expect(Set(rows.map(\.2)).count == 1, "one shard for the whole transaction")
        let counters = try await store.hourlyCounters(from: referenceDate.addingTimeInterval(-7200), to: referenceDate.addingTimeInterval(7200))
        #expect(counters.map(\.count).sorted() == [3, 5])
    }

    @Test func keysSortByHourThenIdentityBytesThenKind() {
        let early = Date(timeIntervalSince1970: 1_000_000_000)
        let late = early.addingTimeInterval(7200)
        let keys: [PGCounterRows.Key] = [
            .init(identity: "b", kind: .delivery, at: early), .init(identity: "a", kind: .send, at: late),
            .init(identity: "a", kind: .delivery, at: early), .init(identity: "B", kind: .complaint, at: early),
            .init(identity: "a", kind: .complaint, at: early),
        ]
        let sorted = keys.sorted(by: PGCounterRows.Key.precedes).map { "\($0.hourStart == keys[0].hourStart ? "early" : "late") \($0.identity) \($0.kind)" }
        #expect(sorted == ["early B complaint", "early a complaint", "early a delivery", "early b delivery", "late a send"])
    }

    /// Many ingests bumping the same counters through two instances at once all commit, and the sums add up.
    @Test func concurrentIngestsCountEveryEvent() async throws {
        try await PostgresFixture.withTwoStores { one, two in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    let store = index % 2 == 0 ? one : two
                    // Identities in opposite orders in every other message.
                    let identities = index % 2 == 0 ? ["x.example", "y.example"] : ["y.example", "x.example"]
                    let events = identities.enumerated().map { offset, identity in
                        RecipientEvent.make(.delivery, address: "c\(index)-\(offset)@example.com", identity: identity)
                    }
                    group.addTask { _ = try await store.ingest(.make(), events: events, policy: TestPolicy()) }
                }
                try await group.waitForAll()
            }
            let counters = try await two.hourlyCounters(from: referenceDate.addingTimeInterval(-7200), to: referenceDate.addingTimeInterval(7200))
            #expect(counters.map { "\($0.identity)=\($0.count)" } == ["x.example=40", "y.example=40"])
        }
    }
}
