import Foundation
import SluiceCore
@testable import SluicePostgres
import SluiceTestSupport
import Testing

/// Several `PostgresStore`s on one database behave like several Sluice instances: what must be global is.
@Suite(.serialized) struct PostgresSharedStateTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func migrationsApplyOnceWhenInstancesStartTogether() async throws {
        let server = try await PostgresTestServer.shared()
        let url = try await server.createDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresFixture.openStore(url: url, poolSize: 1) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { for store in stores { store.close() } }
        #expect(stores.count == 4)
        for store in stores { #expect(try await store.schemaVersion() == PGSchema.migrations.last?.version) }
        let rows = try await stores[0].read { connection throws(StoreError) in
            try connection.execute("SELECT count(*) FROM schema_migrations").int(0, 0)
        }
        #expect(rows == PGSchema.migrations.count)
    }

    @Test func requireCurrentRefusesAnOlderSchemaAndLeavesItAsItIs() async throws {
        let url = try await PostgresTestServer.shared().createDatabase()
        try await offPool {
            let older = try PostgresStore(
                configuration: PostgresStoreConfiguration(url: url, poolSize: 1), logger: PostgresStore.silentLogger,
                migrations: Array(PGSchema.migrations.dropLast()))
            older.close()
            var configuration = PostgresStoreConfiguration(url: url, poolSize: 1)
            configuration.migration = .requireCurrent
            let error = #expect(throws: StoreError.self) { try PostgresStore(configuration: configuration) }
            #expect(error?.code == .migration)
            #expect(error?.message.contains("sluice migrate") == true)
            // Nothing was applied: a store that may migrate applies exactly the last one.
            let current = try PostgresStore(configuration: PostgresStoreConfiguration(url: url, poolSize: 1))
            current.close()
            try PostgresStore(configuration: configuration).close()
        }
    }

    @Test func sameMessageIdFromTwoInstancesIsStoredOnce() async throws {
        try await PostgresFixture.withTwoStores { one, two in
            let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                for index in 0..<10 {
                    let store = index % 2 == 0 ? one : two
                    group.addTask {
                        try await store.ingest(.make(id: "dup-1"), events: [.make(.complaint, address: "d@example.com")], policy: TestPolicy())
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .stored(events: 1) }.count == 1)
            #expect(outcomes.filter { $0 == .duplicate }.count == 9)
            #expect(try await two.history(address: "d@example.com", limit: 10).count == 1)
            #expect(try await one.suppression(for: "d@example.com", scope: nil, at: referenceDate)?.count == 1)
        }
    }

    @Test func concurrentSoftBouncesForOneAddressEndAsIfSerialised() async throws {
        try await PostgresFixture.withTwoStores { one, two in
            let addresses = (0..<10).map { "soft\($0)@example.com" }
            // Two bounces per address, one through each instance, all at once: a lost update would leave
            // a counter at 1 (two "1/3" outcomes).
            try await withThrowingTaskGroup(of: Void.self) { group in
                for address in addresses {
                    for store in [one, two] {
                        group.addTask {
                            _ = try await store.ingest(.make(), events: [.make(.softBounce, address: address)], policy: TestPolicy())
                        }
                    }
                }
                try await group.waitForAll()
            }
            for address in addresses {
                let outcomes = try await one.history(address: address, limit: 10).map(\.outcome).sorted()
                #expect(outcomes == ["counted:soft_bounce 1/3", "counted:soft_bounce 2/3"], "\(address)")
            }
            // A third bounce on either instance now suppresses every address.
            for (index, address) in addresses.enumerated() {
                _ = try await (index % 2 == 0 ? two : one).ingest(.make(), events: [.make(.softBounce, address: address)], policy: TestPolicy())
            }
            let found = try await one.suppressed(among: addresses, scope: nil, at: referenceDate)
            #expect(found.count == addresses.count)
            #expect(found.values.allSatisfy { $0.reason == .softBounceLimit })
        }
    }

    @Test func eachQueuedMessageIsClaimedByOneInstance() async throws {
        try await PostgresFixture.withTwoStores { one, two in
            let ids = (0..<20).map { "m\($0)" }
            for id in ids { _ = try await one.enqueue(queued(id), idempotency: nil) }
            let claims = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for id in ids {
                    for store in [one, two] {
                        group.addTask { (id, try await store.claim(id: id, dropping: [], message: nil, at: now)) }
                    }
                }
                return try await group.reduce(into: [String: Int]()) { counts, result in
                    if result.1 { counts[result.0, default: 0] += 1 }
                }
            }
            #expect(claims.count == ids.count)
            #expect(claims.values.allSatisfy { $0 == 1 })
            #expect(try await two.queueCounts()[.sending] == ids.count)
        }
    }

    @Test func crashedInstanceClaimsAreRecoveredAfterTheLease() async throws {
        try await PostgresFixture.withTwoStores { crashed, survivor in
            for id in ["old", "young"] { _ = try await crashed.enqueue(queued(id, at: now.addingTimeInterval(-100)), idempotency: nil) }
            #expect(try await crashed.claim(id: "old", dropping: [], message: nil, at: now.addingTimeInterval(-100)))
            #expect(try await crashed.claim(id: "young", dropping: [], message: nil, at: now))
            crashed.close()
            let recovered = try await survivor.recoverInflight(claimedBefore: now.addingTimeInterval(-30), resolution: .resend, excluding: [], at: now)
            #expect(recovered == 1)
            #expect(try await survivor.queuedMessage(id: "old")?.state == .queued)
            #expect(try await survivor.queuedMessage(id: "young")?.state == .sending)
            #expect(try await survivor.claim(id: "old", dropping: [], message: nil, at: now))
        }
    }

    @Test func idempotencyKeyIsGlobal() async throws {
        try await PostgresFixture.withTwoStores { one, two in
            let record = IdempotencyRecord(key: "k", requestHash: "h", status: 202, body: Array("{}".utf8), messageId: nil, createdAt: now)
            let outcomes = try await withThrowingTaskGroup(of: IdempotentWriteOutcome.self) { group in
                for index in 0..<10 {
                    let store = index % 2 == 0 ? one : two
                    group.addTask { try await store.enqueue(queued("i\(index)"), idempotency: record) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .stored }.count == 1)
            #expect(outcomes.filter { $0 == .replay(record) }.count == 9)
            #expect(try await one.queueCounts()[.queued] == 1)
        }
    }

    /// A pooled connection the server closed while it sat idle: the next job either runs on a new connection
    /// (the hand-out check read the server's FATAL notice and end of stream) or, when the socket closes a moment
    /// after the session left `pg_stat_activity`, fails transiently (503); the one after runs either way.
    @Test func lostConnectionFailsTransientlyAtMostOnceThenReconnects() async throws {
        let store = try await PostgresFixture.openStore(poolSize: 1)
        defer { store.close() }
        let admin = try await PostgresFixture.openStore(poolSize: 1)
        defer { admin.close() }
        #expect(try await store.hasMessage(id: "x") == false)
        let database = store.databaseIdentity.split(separator: "/").last.map(String.init) ?? ""
        let killed = try await admin.read { connection throws(StoreError) in
            try connection.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                [.text(database)]).int(0, 0)
        }
        #expect(killed == 1)
        // Once the server-side session is gone, its end of stream is on the pooled connection's socket.
        let gone = try await eventually {
            try await admin.read { connection throws(StoreError) in
                try connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                    [.text(database)]).int(0, 0)
            } == 0
        }
        #expect(gone)
        do throws(StoreError) {
            let found = try await store.hasMessage(id: "x")
            #expect(found == false)
        } catch {
            #expect(error.isTransient, "\(error)")
        }
        #expect(try await store.hasMessage(id: "x") == false)
        _ = try await store.ingest(.make(id: "after"), events: [], policy: TestPolicy())
        #expect(try await store.hasMessage(id: "after"))
    }

    private func queued(_ id: String, at date: Date? = nil) -> QueuedMessage {
        QueuedMessage(
            id: id, message: OutboundMessage(from: "s@example.com", fromAddress: "s@example.com", to: ["r@example.net"], subject: "s", text: "t"),
            nextAttemptAt: date ?? now, createdAt: date ?? now)
    }
}

/// The account-wide send schedule shared by instances.
@Suite(.serialized) struct PostgresSendBudgetTests {
    @Test func reservationsFromTwoInstancesNeverOverlap() async throws {
        let server = try await PostgresTestServer.shared()
        let url = try await server.createDatabase()
        let one = try await PostgresFixture.openStore(url: url)
        defer { one.close() }
        let two = try await PostgresFixture.openStore(url: url)
        defer { two.close() }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let rate = 10.0  // recipients per second
        let slots = try await withThrowingTaskGroup(of: (Date, Int).self) { group in
            for index in 0..<40 {
                let store = index % 2 == 0 ? one : two
                let recipients = index % 3 + 1
                group.addTask { (try await store.reserveSendSlot(name: "ses", seconds: Double(recipients) / rate, at: now), recipients) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }.sorted { $0.0 < $1.0 }
        #expect(slots.first?.0 == now)
        // Each reservation starts when the previous one's recipients have had their share of the second.
        for (previous, next) in zip(slots, slots.dropFirst()) {
            #expect(next.0.timeIntervalSince(previous.0) >= Double(previous.1) / rate - 0.000_002)
        }
        // Any window of one second holds at most `rate` recipients' starts (plus the one at its edge).
        let total = slots.map(\.1).reduce(0, +)
        #expect(slots.last!.0.timeIntervalSince(now) >= Double(total - slots.last!.1) / rate - 0.001)
        // A later caller after an idle gap starts at its own now, not in the past.
        let later = now.addingTimeInterval(3600)
        #expect(try await one.reserveSendSlot(name: "ses", seconds: 0.1, at: later) == later)
    }
}

/// Leadership for one-instance jobs (alerts).
@Suite(.serialized) struct PostgresLeadershipTests {
    @Test func oneInstanceLeadsUntilItGoesAway() async throws {
        let server = try await PostgresTestServer.shared()
        let url = try await server.createDatabase()
        let one = try await PostgresFixture.openStore(url: url)
        let two = try await PostgresFixture.openStore(url: url)
        defer { two.close() }
        #expect(try await one.holdsLeadership("monitor"))
        #expect(try await one.holdsLeadership("monitor"))
        #expect(try await !two.holdsLeadership("monitor"))
        #expect(try await two.holdsLeadership("other"))
        one.close()
        // The leader's session ended: the lock is released by the server and the other instance takes over.
        var taken = false
        for _ in 0..<50 where !taken {
            taken = try await two.holdsLeadership("monitor")
            if !taken { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(taken)
    }
}
