import SluiceCore

/// The SNS bodies stored by one write transaction, gathered into packs that the writer inserts into
/// `sns_audit_packs` just before COMMIT (schema v9); each message row points at its bytes in the pack.
///
/// A ~2 KB body in its own row fills a 4 KiB page alone: one WAL frame per message at ingest, and one
/// zlib stream per message later, whose fixed cost dominates at that size (~50 µs each on this machine,
/// against ~14 µs per body when the ~25 bodies of one group commit are deflated as one stream). Bodies are
/// only ever appended inside the writer's transactions, so they are committed (and synced) together with
/// the rows that point at them.
final class AuditPackBuffer: TransactionBuffer {
    /// A pack is closed once it holds this much; the next body starts another (bounds what a reader of one
    /// copy inflates).
    static let maxPackBytes = 256 << 10
    /// Larger bodies keep their own row (`sns_messages.raw`): alone they are worth deflating on their own.
    static let maxPackedBodyBytes = 64 << 10

    /// Where a body goes: its pack and its offset there.
    struct Placement: Equatable {
        let pack: Int64
        let offset: Int
    }

    private struct Pack {
        let id: Int64
        var bytes: [UInt8] = []
        var members = 0
        /// received_at (Unix ms) of the newest member: retention drops a pack once that is past.
        var newest = Int64.min
    }

    private struct Mark {
        let packs: Int
        let bytes: Int
        let members: Int
        let newest: Int64
    }

    private var packs: [Pack] = []
    private var marks: [Mark] = []
    /// Next pack id in this transaction: max + 1 when first needed (read again in every transaction, so
    /// nothing another connection or a failed commit did can leave it stale).
    private var nextId: Int64?

    /// Where a body of `count` bytes would go: the open pack, or a new one when it would overflow.
    func placement(forBytes count: Int, in database: Database) throws(StoreError) -> Placement {
        if let last = packs.last, last.members == 0 || last.bytes.count + count <= Self.maxPackBytes {
            return Placement(pack: last.id, offset: last.bytes.count)
        }
        let id: Int64
        if let nextId { id = nextId } else { id = try Self.firstFreeId(in: database) }
        nextId = id + 1
        packs.append(Pack(id: id))
        return Placement(pack: id, offset: 0)
    }

    /// Appends a body at the placement `placement(forBytes:in:)` just gave.
    func append(_ body: [UInt8], receivedAt: Int64) {
        let last = packs.count - 1
        packs[last].bytes += body
        packs[last].members += 1
        packs[last].newest = max(packs[last].newest, receivedAt)
    }

    func begin() {
        packs.removeAll(keepingCapacity: true)
        marks.removeAll(keepingCapacity: true)
        nextId = nil
    }

    func savepoint() {
        let last = packs.last
        marks.append(Mark(packs: packs.count, bytes: last?.bytes.count ?? 0, members: last?.members ?? 0, newest: last?.newest ?? .min))
    }

    func release() { _ = marks.popLast() }

    func rollBack() {
        // No mark: the buffer was made by the job being rolled back, so all it holds is that job's.
        guard let mark = marks.popLast() else {
            packs.removeAll(keepingCapacity: true)
            return
        }
        packs.removeSubrange(mark.packs...)
        guard mark.packs > 0 else { return }
        let last = mark.packs - 1
        packs[last].bytes.removeSubrange(mark.bytes...)
        packs[last].members = mark.members
        packs[last].newest = mark.newest
    }

    func flush(into database: Database) throws(StoreError) {
        defer { begin() }
        for pack in packs where pack.members > 0 {
            try database.run("""
                INSERT INTO sns_audit_packs (id, created_at, message_count, raw_format, data) VALUES (?1, ?2, ?3, 0, ?4)
                """) {
                $0.bind(pack.id, at: 1)
                $0.bind(pack.newest, at: 2)
                $0.bind(pack.members, at: 3)
                $0.bind(pack.bytes, at: 4)
            }
        }
    }

    private static func firstFreeId(in database: Database) throws(StoreError) -> Int64 {
        let statement = try database.statement("SELECT coalesce(max(id), 0) + 1 FROM sns_audit_packs")
        defer { statement.reset() }
        guard try statement.step() else { return 1 }
        return statement.int64(at: 0)
    }
}
