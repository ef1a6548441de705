/// Reading back and compacting the audit copies of stored SNS messages.
///
/// Ingest commits each body uncompressed: in its message's row, or (SQLite) appended to the pack of its
/// group commit. `AuditCopyCompressor` (app) reads pending blobs, deflates them off the request path and
/// swaps each one for its zlib form in a later commit. Until then, and after any crash in between, the
/// uncompressed bytes are complete and readable.
public protocol AuditCopyStore: Sendable {
    /// The audit copy of `messageId` as stored; nil when no such message is kept.
    func auditCopy(messageId: String) async throws(StoreError) -> AuditCopy?
    /// Up to `limit` blobs still stored uncompressed, oldest first, at most about `maxBytes` in total
    /// (always at least one when any is pending).
    func uncompressedAuditBlobs(limit: Int, maxBytes: Int) async throws(StoreError) -> [AuditBlob]
    /// How many message copies are stored uncompressed (in rows or packs), counted no further than about
    /// `limit` (so asking costs at most `limit` index entries however large the backlog is).
    func uncompressedAuditCopyCount(upTo limit: Int) async throws(StoreError) -> Int
    /// Replaces uncompressed blobs by the given zlib blobs in one commit; one purged or already compressed
    /// meanwhile is skipped. Returns how many blobs were replaced.
    func replaceAuditBlobs(_ compressed: [AuditBlob]) async throws(StoreError) -> Int
}
