extension Schema {
    /// Keys of quoted local parts that need no quotes, re-keyed to the unquoted spelling.
    ///
    /// Builds before this one kept the quotes of `"taro..yamada"@docomo.ne.jp` in its key while
    /// `taro..yamada@docomo.ne.jp` got a key without them, so a suppression added in one spelling missed mail
    /// sent in the other. A quoted local part whose content is atext, dots and UTF-8 only is now keyed without
    /// quotes (`AddressNormalizer.unquotedLegacyKey` is the Swift form of `legacyKey`/`currentKey` below).
    ///
    /// `suppressions`: a row merges into a row already under the new key without weakening it, as an import
    /// would (`Suppression.mergingImport`: higher-precedence reason with its detail and source, later expiry,
    /// earliest first and latest last sighting), except that the counts are added: the two rows counted
    /// different events of one mailbox. The spelling first seen is kept. `soft_bounces` merge as one run (counts
    /// added, the window from the earlier start, the later bounce's subtype); `history` rows take the new key.
    /// Staged import runs are packed blobs: their rows are re-keyed as the merge moves them in
    /// (`SuppressionRows.currentKey`). Nothing is scanned when no key starts with a quote.
    static let v14 = Migration(version: 14, name: "suppression_unquoted_local_part_keys", sql: """
        CREATE TEMP TABLE suppression_rekey (old TEXT PRIMARY KEY, new TEXT NOT NULL) WITHOUT ROWID;
        INSERT INTO temp.suppression_rekey (old, new)
            SELECT address, \(currentKey) FROM (
                SELECT address FROM suppressions WHERE address GLOB '"*'
                UNION SELECT address FROM soft_bounces WHERE address GLOB '"*'
                UNION SELECT address FROM history WHERE address GLOB '"*'
            ) WHERE \(legacyKey);

        INSERT INTO suppressions (address, scope, original_address, reason, detail, first_seen, last_seen, count,
                source, expires_at, domain, changed_at)
            SELECT r.new, s.scope, s.original_address, s.reason, s.detail, s.first_seen, s.last_seen, s.count,
                s.source, s.expires_at, s.domain, \(SuppressionRows.nowSQL)
            FROM temp.suppression_rekey r JOIN suppressions s ON s.address = r.old WHERE true
            ON CONFLICT (address, scope) DO UPDATE SET
                original_address = CASE WHEN excluded.first_seen < first_seen THEN excluded.original_address
                    ELSE original_address END,
                reason = CASE WHEN \(precedence("excluded.reason")) > \(precedence("reason")) THEN excluded.reason
                    ELSE reason END,
                detail = CASE WHEN \(precedence("excluded.reason")) > \(precedence("reason")) THEN excluded.detail
                    ELSE detail END,
                source = CASE WHEN \(precedence("excluded.reason")) > \(precedence("reason")) THEN excluded.source
                    ELSE source END,
                first_seen = min(first_seen, excluded.first_seen),
                last_seen = max(last_seen, excluded.last_seen),
                count = CASE WHEN count > 9223372036854775807 - excluded.count THEN 9223372036854775807
                    ELSE count + excluded.count END,
                expires_at = CASE WHEN expires_at IS NULL OR excluded.expires_at IS NULL THEN NULL
                    ELSE max(expires_at, excluded.expires_at) END,
                changed_at = excluded.changed_at;
        INSERT INTO suppression_domains (domain, address, scope)
            SELECT s.domain, s.address, s.scope FROM temp.suppression_rekey r JOIN suppressions s ON s.address = r.new WHERE true
            ON CONFLICT DO NOTHING;
        -- The delete trigger (Schema.v4) drops the old keys' suppression_domains entries.
        DELETE FROM suppressions WHERE address IN (SELECT old FROM temp.suppression_rekey);
        -- Inserts and reason changes are counted by the store's writes (Schema.v3), which this bypassed:
        -- recount, but only when something was re-keyed.
        DELETE FROM suppression_counts WHERE EXISTS (SELECT 1 FROM temp.suppression_rekey);
        INSERT INTO suppression_counts (reason, n)
            SELECT reason, count(*) FROM suppressions WHERE EXISTS (SELECT 1 FROM temp.suppression_rekey) GROUP BY reason;

        INSERT INTO soft_bounces (address, count, window_start, last_bounce, last_subtype)
            SELECT r.new, b.count, b.window_start, b.last_bounce, b.last_subtype
            FROM temp.suppression_rekey r JOIN soft_bounces b ON b.address = r.old WHERE true
            ON CONFLICT (address) DO UPDATE SET
                count = count + excluded.count,
                window_start = min(window_start, excluded.window_start),
                last_subtype = CASE WHEN excluded.last_bounce > last_bounce THEN excluded.last_subtype ELSE last_subtype END,
                last_bounce = max(last_bounce, excluded.last_bounce);
        DELETE FROM soft_bounces WHERE address IN (SELECT old FROM temp.suppression_rekey);

        UPDATE history SET address = (SELECT new FROM temp.suppression_rekey WHERE old = history.address)
            WHERE address IN (SELECT old FROM temp.suppression_rekey);
        DROP TABLE temp.suppression_rekey;
        """)

    // The content of a key `"content"@domain` is what precedes the first quote after the opening one:
    // in a key that qualifies it holds no `"` or `\` (those were escaped, and are specials anyway).

    /// Position of the closing quote of `address`, counted from its second character.
    private static let closing = "instr(substr(address, 2), '\"')"

    /// SQL: whether `address` (starting with `"`) is a legacy key: non-empty content before `"@`, without any
    /// ASCII byte but atext and `.` (controls never reach a key). GLOB's `[]…]` class starts with `]`.
    private static let legacyKey = """
        \(closing) > 1 AND substr(address, \(closing) + 2, 1) = '@'
            AND substr(address, 2, \(closing) - 1) NOT GLOB '*[] \t"(),:;<>@[\\]*'
        """

    /// SQL: the key this build makes of the legacy key `address`: the content, then `@domain`.
    private static let currentKey = "substr(address, 2, \(closing) - 1) || substr(address, \(closing) + 2)"

    /// SQL: `SuppressionReason.precedence` of the reason in `column` as of this version (written out: a released
    /// migration never changes); unknown reasons rank as manual, as the store reads them.
    private static func precedence(_ column: String) -> String {
        """
        (CASE \(column) WHEN 'hard_bounce' THEN 4 WHEN 'unsubscribed' THEN 3 WHEN 'complaint' THEN 2 \
        WHEN 'ses_account' THEN 1 WHEN 'soft_bounce_limit' THEN 0 ELSE 5 END)
        """
    }
}
