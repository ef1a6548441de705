extension PGSchema {
    /// Keys of quoted local parts that need no quotes, re-keyed to the unquoted spelling (the SQLite store's
    /// `Schema.v14`): `"taro..yamada"@docomo.ne.jp` was keyed with its quotes while `taro..yamada@docomo.ne.jp`
    /// was not, so a suppression added in one spelling missed mail sent in the other.
    ///
    /// `suppressions`: a row merges into a row already under the new key without weakening it (higher-precedence
    /// reason with its detail and source, the stored one on a tie; later expiry; earliest first and latest last
    /// sighting; the spelling of the earlier first sighting), with the counts added: the two rows counted
    /// different events of one mailbox. `soft_bounces` merge as one run (counts added, the window from the earlier
    /// start, the later bounce's subtype); `history` rows take the new key.
    ///
    /// Each table is read once. A data-modifying CTE deletes the old rows and inserts what it deleted, so a row
    /// is moved exactly when it is merged, even beside an older instance still writing. With no key starting
    /// with a quote nothing is written. `LIKE '"%'` is an index range on `suppressions` (its key is `COLLATE "C"`)
    /// and on the other tables when the database's collation is C; otherwise they are scanned once.
    static let v9 = PGMigration(version: 9, name: "suppression_unquoted_local_part_keys", sql: """
        WITH moved AS (
            DELETE FROM suppressions WHERE address LIKE '"%' AND \(legacyKey) RETURNING *
        )
        INSERT INTO suppressions (address, scope, original_address, reason, detail, first_seen, last_seen, count,
                source, expires_at, domain, changed_at)
            SELECT \(currentKey), scope, original_address, reason, detail, first_seen, last_seen, count,
                source, expires_at, domain, \(PGSuppressionRows.nowSQL)
            -- In key order, as imports lock rows (`address` is COLLATE "C", and so is the key made of it).
            FROM moved ORDER BY 1, 2
            ON CONFLICT (address, scope) DO UPDATE SET
                original_address = CASE WHEN excluded.first_seen < suppressions.first_seen THEN excluded.original_address
                    ELSE suppressions.original_address END,
                reason = CASE WHEN \(precedence("excluded.reason")) > \(precedence("suppressions.reason"))
                    THEN excluded.reason ELSE suppressions.reason END,
                detail = CASE WHEN \(precedence("excluded.reason")) > \(precedence("suppressions.reason"))
                    THEN excluded.detail ELSE suppressions.detail END,
                source = CASE WHEN \(precedence("excluded.reason")) > \(precedence("suppressions.reason"))
                    THEN excluded.source ELSE suppressions.source END,
                first_seen = LEAST(suppressions.first_seen, excluded.first_seen),
                last_seen = GREATEST(suppressions.last_seen, excluded.last_seen),
                count = CASE WHEN suppressions.count > 9223372036854775807 - excluded.count THEN 9223372036854775807
                    ELSE suppressions.count + excluded.count END,
                expires_at = CASE WHEN suppressions.expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL
                    ELSE GREATEST(suppressions.expires_at, excluded.expires_at) END,
                changed_at = excluded.changed_at;

        WITH moved AS (
            DELETE FROM soft_bounces WHERE address LIKE '"%' AND \(legacyKey) RETURNING *
        )
        INSERT INTO soft_bounces (address, count, window_start, last_bounce, last_subtype)
            SELECT \(currentKey), count, window_start, last_bounce, last_subtype FROM moved ORDER BY 1
            ON CONFLICT (address) DO UPDATE SET
                count = CASE WHEN soft_bounces.count > 9223372036854775807 - excluded.count THEN 9223372036854775807
                    ELSE soft_bounces.count + excluded.count END,
                window_start = LEAST(soft_bounces.window_start, excluded.window_start),
                last_subtype = CASE WHEN excluded.last_bounce > soft_bounces.last_bounce THEN excluded.last_subtype
                    ELSE soft_bounces.last_subtype END,
                last_bounce = GREATEST(soft_bounces.last_bounce, excluded.last_bounce);

        UPDATE history SET address = \(currentKey) WHERE address LIKE '"%' AND \(legacyKey);
        """)

    // A key `"content"@domain` qualifies when its content is non-empty and holds no ASCII byte but atext and
    // `.` (`AddressNormalizer.hasSpecial`); then it holds no `"` or `\`, so its closing quote is the first
    // quote after the opening one, as `AddressParts.closingQuote` finds it. A non-ASCII character always
    // qualifies, in a UTF8 database or (byte by byte) a SQL_ASCII one.

    /// ARE: the content of a legacy key and the `@` after it. The class lists every ASCII byte but atext and
    /// `.`: controls and space, DEL, and `"(),:;<>@[\]` (`]` first, so it is literal; `\\` is a backslash).
    private static let legacyPattern = #"^"([^]["(),:;<>@\\\x01-\x20\x7f]+)"@"#

    /// SQL: whether `address` is a legacy key (`AddressNormalizer.unquotedLegacyKey` is not nil).
    private static let legacyKey = "address ~ '\(legacyPattern)'"

    /// SQL: the key this build makes of the legacy key `address`: the content, then `@domain`.
    private static let currentKey = #"regexp_replace(address, '\#(legacyPattern)', '\1@')"#

    /// SQL: `SuppressionReason.precedence` of the reason in `column` as of this version (written out: a released
    /// migration never changes); unknown reasons rank as manual, as the store reads them.
    private static func precedence(_ column: String) -> String {
        """
        (CASE \(column) WHEN 'hard_bounce' THEN 4 WHEN 'unsubscribed' THEN 3 WHEN 'complaint' THEN 2 \
        WHEN 'ses_account' THEN 1 WHEN 'soft_bounce_limit' THEN 0 ELSE 5 END)
        """
    }
}
