import Foundation
import SluiceCore
@testable import SluiceStore
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
}
