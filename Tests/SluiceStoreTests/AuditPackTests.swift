import Foundation
import SluiceCore
import SluiceCrypto
@testable import SluiceStore
import Testing

/// SQLite keeps the SNS bodies of one group commit in one pack row (`AuditPackBuffer`, schema v9): what a
/// group's jobs leave there must be exactly the bodies of the messages it committed, readable one by one
/// before and after the pack is compressed.
@Suite(.serialized) struct AuditPackTests {
    private static func body(_ id: String, size: Int = 300) -> [UInt8] {
        Array(#"{"Type":"Notification","MessageId":"\#(id)","Message":""#.utf8)
            + (0..<size).map { UInt8(ascii: "a") + UInt8(($0 * 7 + id.utf8.count) % 26) } + Array(#""}"#.utf8)
    }

    private static func ingest(_ store: SQLiteStore, _ id: String, body: [UInt8]? = nil) async throws(StoreError) -> IngestOutcome {
        try await store.ingest(AuditCopyConformance.message(id, body: body ?? Self.body(id)), events: [], policy: TestPolicy())
    }

    private static func packOf(_ store: SQLiteStore, _ id: String) async throws -> Int64? {
        try await store.readers.read { database throws(StoreError) in
            let statement = try database.statement("SELECT pack_id FROM sns_messages WHERE message_id = ?1")
            defer { statement.reset() }
            statement.bind(id, at: 1)
            guard try statement.step(), !statement.isNull(at: 0) else { return nil }
            return statement.int64(at: 0)
        }
    }

    private static func packs(_ store: SQLiteStore) async throws -> [(id: Int64, count: Int, format: Int, data: [UInt8])] {
        try await store.readers.read { database throws(StoreError) in
            let statement = try database.statement("SELECT id, message_count, raw_format, data FROM sns_audit_packs ORDER BY id")
            defer { statement.reset() }
            var rows: [(id: Int64, count: Int, format: Int, data: [UInt8])] = []
            while try statement.step() { rows.append((statement.int64(at: 0), statement.int(at: 1), statement.int(at: 2), statement.blob(at: 3))) }
            return rows
        }
    }

    /// The body an audit copy holds, in either form.
    private static func read(_ store: SQLiteStore, _ id: String) async throws -> [UInt8]? {
        guard let copy = try await store.auditCopy(messageId: id) else { return nil }
        let decoded = copy.format == .zlib ? try Zlib.decompress(copy.bytes, maxOutput: 1 << 20) : copy.bytes
        return copy.range.map { Array(decoded[$0]) } ?? decoded
    }

    /// Makes the jobs that `submit` starts one group, however fast the writer runs: the sync of a first
    /// commit (message `lead`) is held, so every job taken meanwhile joins one open transaction, committed
    /// once the sync is released. `submit` gets `taken(n)`, which waits until the writer took its first `n`
    /// jobs (so jobs submitted one after the other run in that order).
    private static func inOneGroup(
        _ store: SQLiteStore, lead: String, _ submit: (_ taken: (Int) async throws -> Void) async throws -> Void
    ) async throws {
        let before = store.writerStatistics
        store.writer.fault.holdSyncs()
        defer { store.writer.fault.releaseSyncs() }
        let leading = Task { try await Self.ingest(store, lead) }
        try await waitUntil { store.writerStatistics.commits >= before.commits + 1 }
        try await submit { count in
            try await waitUntil { store.writerStatistics.jobs >= before.jobs + 1 + count && store.writer.pendingCount == 0 }
        }
        store.writer.fault.releaseSyncs()
        #expect(try await leading.value == .stored(events: 0))
    }

    /// The jobs applied while a sync runs form one transaction: their bodies share a pack. A job rolled back
    /// in its savepoint after appending its body, and a duplicate, leave nothing in it.
    @Test func aGroupSharesOnePackWithoutItsFailedJobsAndDuplicates() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await Self.ingest(store, "warm-up") == .stored(events: 0))
        var tasks: [Task<IngestOutcome, any Error>] = []
        var failing: Task<Void, any Error>?
        try await Self.inOneGroup(store, lead: "g-0") { taken in
            tasks.append(Task { try await Self.ingest(store, "g-1") })
            try await taken(1)
            failing = Task {
                try await store.writer.submit { database throws(StoreError) in
                    _ = try FeedbackIngest.apply(
                        AuditCopyConformance.message("rolled-back", body: Self.body("rolled-back", size: 5000)), events: [],
                        policy: TestPolicy(), in: database)
                    throw StoreError(.invalidInput, "fails after its body joined the pack")
                }
            }
            try await taken(2)
            tasks.append(Task { try await Self.ingest(store, "g-1") })  // a duplicate of a message in the same group
            try await taken(3)
            tasks.append(Task { try await Self.ingest(store, "g-2") })
            try await taken(4)
        }

        #expect(try await tasks.asyncMap { try await $0.value } == [.stored(events: 0), .duplicate, .stored(events: 0)])
        await #expect(throws: StoreError.self) { try await failing?.value }
        #expect(try await store.hasMessage(id: "rolled-back") == false)

        let group = try #require(try await Self.packOf(store, "g-1"))
        #expect(try await Self.packOf(store, "g-2") == group)
        #expect(try await Self.packOf(store, "g-0") != group)
        let pack = try #require(try await Self.packs(store).first { $0.id == group })
        #expect(pack.count == 2)
        #expect(pack.format == 0)
        #expect(pack.data == Self.body("g-1") + Self.body("g-2"))
        for id in ["warm-up", "g-0", "g-1", "g-2"] {
            #expect(try await store.auditCopy(messageId: id) == AuditCopy(messageId: id, format: .identity, bytes: Self.body(id)))
        }

        // Compressed as one stream, each copy still reads back on its own.
        let blobs = try await store.uncompressedAuditBlobs(limit: 10, maxBytes: 1 << 20)
        #expect(blobs.map(\.copies).reduce(0, +) == 4)
        let compressed = try blobs.map { AuditBlob(owner: $0.owner, format: .zlib, bytes: try Zlib.compress($0.bytes, level: 1, compact: false), copies: $0.copies) }
        #expect(try await store.replaceAuditBlobs(compressed) == blobs.count)
        #expect(try await store.uncompressedAuditCopyCount(upTo: 100) == 0)
        for id in ["warm-up", "g-0", "g-1", "g-2"] {
            let copy = try #require(try await store.auditCopy(messageId: id))
            #expect(copy.format == .zlib)
            let range = try #require(copy.range)
            #expect(Array(try Zlib.decompress(copy.bytes, maxOutput: 1 << 20)[range]) == Self.body(id))
        }
    }

    /// Retention drops a pack only once its newest member is purged; until then the members kept read back.
    @Test func retentionDropsAPackWithItsNewestMember() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await Self.ingest(store, "warm-up") == .stored(events: 0))
        var tasks: [Task<IngestOutcome, any Error>] = []
        try await Self.inOneGroup(store, lead: "first") { taken in
            for (index, id) in ["old", "new"].enumerated() {
                let at = referenceDate.addingTimeInterval(index == 0 ? 0 : 10)
                tasks.append(Task { try await store.ingest(AuditCopyConformance.message(id, body: Self.body(id), at: at), events: [], policy: TestPolicy()) })
                try await taken(index + 1)
            }
        }
        for task in tasks { #expect(try await task.value == .stored(events: 0)) }
        let pack = try #require(try await Self.packOf(store, "old"))
        #expect(try await Self.packOf(store, "new") == pack)

        #expect(try await store.purgeMessages(olderThan: referenceDate.addingTimeInterval(5)) >= 1)
        #expect(try await store.auditCopy(messageId: "old") == nil)
        #expect(try await Self.packs(store).contains { $0.id == pack })
        #expect(try await store.auditCopy(messageId: "new")?.bytes == Self.body("new"))
        _ = try await store.purgeMessages(olderThan: referenceDate.addingTimeInterval(11))
        #expect(try await store.auditCopy(messageId: "new") == nil)
        #expect(try await Self.packs(store).isEmpty)
    }

    /// Pack ids come from the file in every transaction, not from a counter of the connection: a pack that
    /// another connection wrote (or a restore put back) never collides with the next one.
    @Test func packIdsFollowTheFileNotTheConnection() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await Self.ingest(store, "a") == .stored(events: 0))
        let first = try #require(try await Self.packOf(store, "a"))
        do {
            let other = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 5000)
            try other.run("INSERT INTO sns_audit_packs (id, created_at, message_count, raw_format, data) VALUES (?1, 0, 0, 1, x'00')") {
                $0.bind(first + 1, at: 1)
            }
        }
        #expect(try await Self.ingest(store, "b") == .stored(events: 0))
        #expect(try await Self.packOf(store, "b") == first + 2)
        #expect(try await store.auditCopy(messageId: "b")?.bytes == Self.body("b"))
    }

    /// A COMMIT that fails writes no pack (and no row pointing at one); the retry stores both.
    @Test func aFailedCommitLeavesNoPack() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await Self.ingest(store, "kept") == .stored(events: 0))
        store.writer.fault.failCommits.store(true, ordering: .relaxed)
        await #expect(throws: StoreError.self) { try await Self.ingest(store, "retried") }
        store.writer.fault.failCommits.store(false, ordering: .relaxed)
        #expect(try await Self.packs(store).count == 1)
        #expect(try await store.hasMessage(id: "retried") == false)
        #expect(try await Self.ingest(store, "retried") == .stored(events: 0))
        #expect(try await Self.packs(store).map(\.count) == [1, 1])
        #expect(try await store.auditCopy(messageId: "retried")?.bytes == Self.body("retried"))
        #expect(try await store.auditCopy(messageId: "kept")?.bytes == Self.body("kept"))
    }

    /// One MessageId stored twice (a raw delivery, Timestamp absent, and a signed envelope: the dedupe key is
    /// `(sns_timestamp, message_id)`), both too large for a pack: each row gets its own compressed copy.
    @Test func twoRowsOfOneMessageIdAreCompressedEachInItsOwnRow() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let size = AuditPackBuffer.maxPackedBodyBytes
        var raw = AuditCopyConformance.message("twin", body: Self.body("raw-twin", size: size))
        raw.timestamp = nil
        let envelope = AuditCopyConformance.message("twin", body: Self.body("envelope-twin", size: size))
        #expect(try await store.ingest(raw, events: [], policy: TestPolicy()) == .stored(events: 0))
        #expect(try await store.ingest(envelope, events: [], policy: TestPolicy()) == .stored(events: 0))
        let blobs = try await store.uncompressedAuditBlobs(limit: 10, maxBytes: 1 << 30)
        #expect(blobs.count == 2)
        // Each replacement is marked with the start of the body it replaces (the store does not inflate it).
        let replacements = blobs.map { AuditBlob(owner: $0.owner, format: .zlib, bytes: Array($0.bytes.prefix(64))) }
        #expect(try await store.replaceAuditBlobs(replacements) == 2)
        let stored = try await store.readers.read { database throws(StoreError) -> [[UInt8]] in
            let statement = try database.statement("SELECT raw FROM sns_messages WHERE message_id = 'twin' AND raw_format = 1 ORDER BY sns_timestamp")
            defer { statement.reset() }
            var rows: [[UInt8]] = []
            while try statement.step() { rows.append(statement.blob(at: 0)) }
            return rows
        }
        #expect(stored == [Array(raw.raw.prefix(64)), Array(envelope.raw.prefix(64))])
    }

    /// Bodies over 64 KiB keep their own row; a pack is closed past 256 KiB, so a large group makes several.
    @Test func largeBodiesKeepTheirRowAndLargeGroupsSplit() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        let large = Self.body("large", size: AuditPackBuffer.maxPackedBodyBytes)
        #expect(try await Self.ingest(store, "large", body: large) == .stored(events: 0))
        #expect(try await Self.packOf(store, "large") == nil)
        #expect(try await store.auditCopy(messageId: "large") == AuditCopy(messageId: "large", format: .identity, bytes: large))
        let owners = try await store.uncompressedAuditBlobs(limit: 10, maxBytes: 1 << 30).map(\.owner)
        #expect(owners.count == 1)
        if case .row(_, let messageId) = owners.first { #expect(messageId == "large") } else { Issue.record("not a row: \(owners)") }

        // 40 bodies of ~30 KB in one job each, committed together: > 1 MB in all.
        let ids = (0..<40).map { "split-\($0)" }
        var tasks: [Task<IngestOutcome, any Error>] = []
        try await Self.inOneGroup(store, lead: "split-first") { taken in
            tasks = ids.map { id in Task { try await Self.ingest(store, id, body: Self.body(id, size: 30_000)) } }
            try await taken(ids.count)
        }
        for task in tasks { #expect(try await task.value == .stored(events: 0)) }
        let packs = try await Self.packs(store)
        #expect(packs.allSatisfy { $0.data.count <= AuditPackBuffer.maxPackBytes })
        #expect(Set(try await ids.asyncMap { try await Self.packOf(store, $0) }).count >= 5)
        #expect(packs.map(\.count).reduce(0, +) == 41)
        for id in ids { #expect(try await store.auditCopy(messageId: id)?.bytes == Self.body(id, size: 30_000)) }
    }

    /// A pack's compressed form frees the pages of its raw form, and the next packs are written there.
    @Test func compressedPacksFreeTheirPagesForTheNextOnes() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        // Each range is applied while a sync is held, so it forms one group (two packs of ≤ 256 KiB) however
        // fast the writer runs (a body alone in its pack fits its leaf page, and compressing it frees none).
        func ingestAsOneGroup(_ range: Range<Int>) async throws {
            var tasks: [Task<IngestOutcome, any Error>] = []
            try await Self.inOneGroup(store, lead: "lead-\(range.lowerBound)") { taken in
                tasks = range.map { i in Task { try await Self.ingest(store, "c-\(i)", body: Self.body("c-\(i)", size: 2000)) } }
                try await taken(range.count)
            }
            for task in tasks { #expect(try await task.value == .stored(events: 0)) }
        }
        try await ingestAsOneGroup(0..<200)
        let before = try await AuditCopyStoreTests.pageCount(store)
        let blobs = try await store.uncompressedAuditBlobs(limit: 1000, maxBytes: 1 << 30)
        #expect(blobs.map(\.copies).reduce(0, +) == 201)
        let compressed = try blobs.map { AuditBlob(owner: $0.owner, format: .zlib, bytes: try Zlib.compress($0.bytes, level: 1, compact: false), copies: $0.copies) }
        #expect(try await store.replaceAuditBlobs(compressed) == blobs.count)
        func freePages() async throws -> Int {
            try await store.readers.read { database throws(StoreError) in Int(try database.strings("PRAGMA freelist_count")[0]) ?? 0 }
        }
        // ~420 KB of bodies deflate to a fraction: the overflow pages they no longer need are free…
        let freed = try await freePages()
        #expect(freed >= 60, "\(freed) free pages of \(before)")
        try await ingestAsOneGroup(200..<400)
        // …and the next packs are written there before the file grows.
        let after = try await AuditCopyStoreTests.pageCount(store)
        #expect(try await freePages() < 20)
        #expect(after - before < 200 - freed, "page_count \(before) → \(after), \(freed) were free")
        for i in [0, 199, 200, 399] { #expect(try await Self.read(store, "c-\(i)") == Self.body("c-\(i)", size: 2000)) }
    }
}

private extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
