/// How the audit copy of an SNS body is stored (`sns_messages.raw_format`).
///
/// Ingest stores the body as received (`identity`) in the synced commit, so no compression runs while
/// SNS waits for the 200; a background worker replaces it with its zlib stream later. Readers accept both.
public enum AuditCopyFormat: Int, Sendable, Equatable, CaseIterable {
    /// The HTTP body exactly as received.
    case identity = 0
    /// One RFC 1950 zlib stream of the body.
    case zlib = 1
}
