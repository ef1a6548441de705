extension Schema {
    /// The dispatcher's index carries `identity`, so `readyMessages` leaves out a paused identity's due rows
    /// from the index alone. Without it each skipped row costs a table lookup, its payload pages included: with
    /// 100k due rows of a paused identity ahead of other mail, one call took 0.24-0.40 s, and takes ~0.07 s with
    /// it. A prefix of the new index serves what the old one did (recovery, per-state counts).
    static let v11 = Migration(version: 11, name: "outbound_due_index_with_identity", sql: """
        CREATE INDEX outbound_state_due_identity ON outbound_messages (state, next_attempt_at, identity);
        DROP INDEX outbound_state_due;
        """)
}
