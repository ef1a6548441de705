import Foundation
import Synchronization
import SluiceCore
@testable import SluiceStore
import SluiceTestSupport
import Testing

struct ReaderPoolTests {
    @Test func manyConcurrentReadsShareOneConnection() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore(readerCount: 1)
        defer { store.close() }
        #expect(try await store.importBatch((0..<50).map { .make(address: "r\($0)@example.com") }) == 50)
        let found = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let address = "r\(index % 100)@example.com"  // half exist
                    let lookup = try await store.suppression(for: address, scope: nil, at: referenceDate)
                    let batch = try await store.suppressed(among: [address, "none@example.com"], scope: "news", at: referenceDate)
                    return lookup != nil && batch[address] != nil && batch["none@example.com"] == nil
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(found == 100)
    }

    @Test func readsSeeCommittedWritesImmediately() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        for index in 0..<20 {
            try await store.putManual(.make(address: "w\(index)@example.com"))
            #expect(try await store.suppression(for: "w\(index)@example.com", scope: nil, at: referenceDate) != nil)
        }
    }

    /// A database the store made, with a way to open read connections to it; removed with the value.
    private struct ReadOnlyDatabase {
        let directory: TemporaryDirectory
        let open: () throws(StoreError) -> Database

        init() throws {
            directory = try TemporaryDirectory()
            try directory.openStore().close()
            let path = directory.databasePath
            open = { () throws(StoreError) -> Database in try Database(path: path, readOnly: true, busyTimeoutMilliseconds: 100) }
        }
    }

    @Test func aRenewalThatOpensNothingFailsReadsUntilOneSucceeds() async throws {
        let database = try ReadOnlyDatabase()
        defer { withExtendedLifetime(database) {} }  // its directory stays until the test ends
        let open = database.open
        let pool = ReaderPool([try open()])
        defer { pool.close() }
        #expect(throws: StoreError.self) {
            try pool.renew(count: 2, patience: .milliseconds(100)) { () throws(StoreError) -> Database in
                throw StoreError(.io, "too many open files")
            }
        }
        // No connection is left: a read fails at once instead of waiting for one that never comes.
        let error = await #expect(throws: StoreError.self) { try await pool.read { _ throws(StoreError) in 1 } }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("too many open files") == true)
        try pool.renew(count: 1, patience: .milliseconds(100), open: open)
        #expect(try await pool.read { database throws(StoreError) in try database.statement("SELECT 1").step() })
    }

    @Test func aReaderThatOutlivesTwoRenewalsIsNeverPooledAgain() async throws {
        let database = try ReadOnlyDatabase()
        defer { withExtendedLifetime(database) {} }  // its directory stays until the test ends
        let open = database.open
        let pool = ReaderPool([try open()])
        defer { pool.close() }
        let held = Mutex<ObjectIdentifier?>(nil)
        let release = DispatchSemaphore(value: 0)
        let reader = Task {
            try await pool.read { database throws(StoreError) in
                held.withLock { $0 = ObjectIdentifier(database) }
                release.wait()  // a long read (an export) across both renewals
            }
        }
        let reading = await eventually(timeout: .seconds(30), interval: .milliseconds(5)) { held.withLock { $0 } != nil }
        guard reading else {
            release.signal()
            Issue.record("the long read never started")
            return
        }
        try pool.renew(count: 1, patience: .milliseconds(20), open: open)
        try pool.renew(count: 1, patience: .milliseconds(20), open: open)
        release.signal()
        try await reader.value
        let old = try #require(held.withLock { $0 })
        for _ in 0..<4 {
            let seen = try await pool.read { database throws(StoreError) in ObjectIdentifier(database) }
            #expect(seen != old)
        }
    }
}
