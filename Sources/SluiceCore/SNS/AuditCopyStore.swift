/// Reading back and compacting the audit copies of stored SNS messages.
///
/// Ingest commits each body uncompressed; `AuditCopyCompressor` (app) reads pending copies, deflates
/// them off the request path and swaps each one for its zlib form in a later commit. Until then, and
/// after any crash in between, the uncompressed copy is complete and readable.
public protocol AuditCopyStore: Sendable {
    /// The audit copy of `messageId` as stored; nil when no such message is kept.
    func auditCopy(messageId: String) async throws(StoreError) -> AuditCopy?
    /// Up to `limit` copies still stored uncompressed, oldest first, at most about `maxBytes` in total
    /// (always at least one when any is pending).
    func uncompressedAuditCopies(limit: Int, maxBytes: Int) async throws(StoreError) -> [AuditCopy]
    /// How many copies are stored uncompressed, counted no further than `limit` (so asking costs at most
    /// `limit` index entries however large the backlog is).
    func uncompressedAuditCopyCount(upTo limit: Int) async throws(StoreError) -> Int
    /// Replaces uncompressed copies by the given zlib copies in one commit; a message purged or already
    /// compressed meanwhile is skipped. Returns how many rows were replaced.
    func replaceAuditCopies(_ compressed: [AuditCopy]) async throws(StoreError) -> Int
}
