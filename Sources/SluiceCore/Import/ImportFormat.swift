/// The text formats a suppression import accepts.
public enum ImportFormat: String, Sendable, CaseIterable {
    /// RFC 4180 CSV; optional header row naming the columns, else `address,reason,detail,expires_at`.
    case csv
    /// One JSON object per line (`{"address": …, "reason": …}`).
    case jsonl
}
