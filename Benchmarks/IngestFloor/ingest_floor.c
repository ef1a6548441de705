// ingest_floor: the SQLite cost of one SNS notification's rows, without Sluice around it.
//
// Writes what the writer thread writes for an ingested SES notification (FeedbackStatements,
// SuppressionRows, CounterRows, AuditPackBuffer), on Sluice's own schema, from C with prepared
// statements: a lower bound for the writer's CPU per notification, to compare `Scripts/bench-sns`
// against. Run through Scripts/bench-sns-floor, which makes DB with `sluice migrate` (so the schema,
// its indexes and triggers are always the current ones).
//
//   ingest_floor DB NOTIFICATIONS GROUP
//
// The mix is bench-sns's (Scripts/snsgen.py batch): 60 % delivery, 20 % hard bounce, 10 % soft
// bounce, 10 % complaint; one recipient each. Each notification has a new address (numbered, as the
// bench's), a random MessageId, and an SES message id that leads with the send time in hex, as SES's
// do (so those index inserts land near the end). GROUP notifications share one transaction and one
// audit pack of 2,059-byte bodies (the bench's mean), as in one group commit. WAL, synchronous = NORMAL
// (COMMIT does not sync: Sluice's sync thread does that, outside the writer's CPU), a checkpoint every
// 1,000 WAL pages, 32 MiB page cache. With the store's SQLite plug-ins (Sources/CSQLitePlugins, compiled
// in by Scripts/bench-sns-floor: the WAL buffer VFS and the page cache), as the store opens it;
// INGEST_FLOOR_SQLITE=plain uses SQLite's default VFS and page cache instead, to compare.
// Prints CPU (user + system) and wall time per notification.
#include "CSQLitePlugins.h"
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static sqlite3 *db;

static void fail(const char *what) {
    fprintf(stderr, "ingest_floor: %s: %s\n", what, db ? sqlite3_errmsg(db) : "no database");
    exit(1);
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) fail(sql);
    return statement;
}

static void run(sqlite3_stmt *statement) {
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {}
    if (rc != SQLITE_DONE) fail(sqlite3_sql(statement));
    sqlite3_reset(statement);
}

static void execute(const char *sql) {
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) fail(sql);
}

static void text(sqlite3_stmt *statement, int index, const char *value) {
    sqlite3_bind_text(statement, index, value, -1, SQLITE_STATIC);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void) {  // xorshift64*: reproducible, no libc state
    rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static void uuid(char out[37]) {
    static const char hex[] = "0123456789abcdef";
    uint64_t a = next_random(), b = next_random();
    for (int i = 0, j = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) { out[i] = '-'; continue; }
        uint64_t *word = j < 16 ? &a : &b;
        out[i] = hex[(*word >> ((j % 16) * 4)) & 15];
        j++;
    }
    out[36] = 0;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double wall_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: ingest_floor DB NOTIFICATIONS GROUP\n");
        return 2;
    }
    const long total = atol(argv[2]);
    const int group = atoi(argv[3]);
    if (total <= 0 || group <= 0 || group > 1000) {
        fprintf(stderr, "ingest_floor: NOTIFICATIONS must be > 0 and GROUP 1-1000\n");
        return 2;
    }
    const char *sqlite = getenv("INGEST_FLOOR_SQLITE");
    const int plain = sqlite != NULL && strcmp(sqlite, "plain") == 0;
    const char *vfs = NULL;
    if (!plain) {
        if (CSQLitePlugins_install_page_cache() != SQLITE_OK) fail("installing the page cache");
        if (CSQLitePlugins_register_wal_buffer() != SQLITE_OK) fail("registering the WAL buffer VFS");
        vfs = CSQLITEPLUGINS_WAL_BUFFER_VFS_NAME;
    }
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, vfs) != SQLITE_OK) fail(argv[1]);
    execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;"
            "PRAGMA wal_autocheckpoint = 1000");

    sqlite3_stmt *message = prepare(
        "INSERT INTO sns_messages (message_id, type, topic_arn, sns_timestamp, received_at, endpoint, event_count, raw,"
        " raw_format, pack_id, pack_offset, pack_length)"
        " VALUES (?1, 'Notification', 'arn:aws:sns:us-east-1:123456789012:ses-feedback', ?2, ?3, 'default', 1, x'', 2, ?4, ?5, 2059)"
        " ON CONFLICT (sns_timestamp, message_id) DO NOTHING");
    sqlite3_stmt *suppressions = prepare("SELECT * FROM suppressions WHERE address = ?1");
    sqlite3_stmt *soft_get = prepare("SELECT count, window_start, last_bounce, last_subtype FROM soft_bounces WHERE address = ?1");
    sqlite3_stmt *soft_set = prepare(
        "INSERT INTO soft_bounces (address, count, window_start, last_bounce, last_subtype) VALUES (?1, 1, ?2, ?2, 'General')"
        " ON CONFLICT (address) DO UPDATE SET count = count + 1, last_bounce = excluded.last_bounce");
    sqlite3_stmt *suppress = prepare(
        "INSERT INTO suppressions (address, scope, original_address, reason, detail, first_seen, last_seen, count, source,"
        " expires_at, domain) VALUES (?1, '', ?1, ?2, 'General', ?3, ?3, 1, ?4, NULL, ?5) ON CONFLICT DO NOTHING");
    sqlite3_stmt *domain = prepare("INSERT INTO suppression_domains (domain, address, scope) VALUES (?1, ?2, '')");
    sqlite3_stmt *counted = prepare(
        "INSERT INTO suppression_counts (reason, n) VALUES (?1, 1) ON CONFLICT (reason) DO UPDATE SET n = n + 1");
    sqlite3_stmt *history = prepare(
        "INSERT INTO history (address, kind, original_address, ses_message_id, event_at, identity, subtype, detail,"
        " scope, raw_type, outcome, source, recorded_at)"
        " VALUES (?1, ?2, ?1, ?3, ?4, 'example.com', ?5, ?6, '', ?7, ?8, 'sns', ?9)");
    sqlite3_stmt *counter = prepare(
        "INSERT INTO hourly_counters (hour_start, identity, kind, count) VALUES (?1, 'example.com', ?2, ?3)"
        " ON CONFLICT (hour_start, identity, kind) DO UPDATE SET count = count + excluded.count");
    sqlite3_stmt *pack = prepare(
        "INSERT INTO sns_audit_packs (id, created_at, message_count, raw_format, data) VALUES (?1, ?2, ?3, 0, ?4)");

    unsigned char *bodies = malloc((size_t)group * 2059);
    for (size_t i = 0; i < (size_t)group * 2059; i++) bodies[i] = (unsigned char)next_random();
    static const char *domains[] = {"example.com", "example.org", "example.net"};
    const long long start_ms = 1796022000000LL;

    double cpu0 = cpu_seconds(), wall0 = wall_seconds();
    long done = 0;
    for (int pack_id = 1; done < total; pack_id++) {
        execute("BEGIN IMMEDIATE");
        int members = 0;
        // Per kind, in the order of their names (the key order the writer upserts in).
        static const char *sorted_kinds[] = {"complaint", "delivery", "hard_bounce", "soft_bounce"};
        int counts[4] = {0, 0, 0, 0};
        for (; members < group && done < total; members++, done++) {
            char message_id[37], ses_uuid[37], ses_id[80], address[80];
            uuid(message_id);
            uuid(ses_uuid);
            long long at = start_ms + done;
            // SES message ids lead with their send time in hex milliseconds, so they arrive nearly in order.
            snprintf(ses_id, sizeof ses_id, "0100%012llx-%s-000000", (unsigned long long)at, ses_uuid);
            const char *host = domains[done % 3];
            snprintf(address, sizeof address, "user%07ld.%06llx@%s", done, (unsigned long long)(next_random() & 0xFFFFFF), host);
            int slot = (int)(done % 10);  // 0-5 delivery, 6-7 hard bounce, 8 soft bounce, 9 complaint
            const char *kind = slot < 6 ? "delivery" : slot < 8 ? "hard_bounce" : slot == 8 ? "soft_bounce" : "complaint";

            text(message, 1, message_id);
            sqlite3_bind_int64(message, 2, at);
            sqlite3_bind_int64(message, 3, at + 20);
            sqlite3_bind_int(message, 4, pack_id);
            sqlite3_bind_int(message, 5, members * 2059);
            run(message);

            // The state the policy needs (SuppressionPolicy.stateNeeded): a bounce both parts, a complaint the
            // suppressions, a delivery the soft-bounce run it may end.
            if (slot >= 6) {
                text(suppressions, 1, address);
                run(suppressions);
            }
            if (slot <= 8) {
                text(soft_get, 1, address);
                run(soft_get);
            }
            if (slot == 8) {
                text(soft_set, 1, address);
                sqlite3_bind_int64(soft_set, 2, at);
                run(soft_set);
            } else if (slot >= 6) {
                text(suppress, 1, address);
                text(suppress, 2, kind);
                sqlite3_bind_int64(suppress, 3, at);
                text(suppress, 4, ses_id);
                text(suppress, 5, host);
                run(suppress);
                text(domain, 1, host);
                text(domain, 2, address);
                run(domain);
                text(counted, 1, kind);
                run(counted);
            }
            text(history, 1, address);
            text(history, 2, kind);
            text(history, 3, ses_id);
            sqlite3_bind_int64(history, 4, at);
            if (slot < 6) sqlite3_bind_null(history, 5); else text(history, 5, "General");
            text(history, 6, slot < 6 ? "250 2.6.0 Message received" : "smtp; 550 5.1.1 user unknown");
            text(history, 7, slot < 6 ? "Delivery" : slot == 9 ? "Complaint" : "Bounce");
            text(history, 8, slot < 6 ? "recorded" : slot == 8 ? "counted" : "suppressed");
            sqlite3_bind_int64(history, 9, at + 20);
            run(history);

            counts[slot < 6 ? 1 : slot < 8 ? 2 : slot == 8 ? 3 : 0]++;
        }
        // The writer sums a transaction's counters in memory and upserts each row once before COMMIT
        // (CounterBuffer), in key order.
        for (int k = 0; k < 4; k++) {
            if (counts[k] == 0) continue;
            sqlite3_bind_int64(counter, 1, (start_ms + done) / 3600000 * 3600000);
            text(counter, 2, sorted_kinds[k]);
            sqlite3_bind_int(counter, 3, counts[k]);
            run(counter);
        }
        sqlite3_bind_int(pack, 1, pack_id);
        sqlite3_bind_int64(pack, 2, start_ms + done);
        sqlite3_bind_int(pack, 3, members);
        sqlite3_bind_blob(pack, 4, bodies, members * 2059, SQLITE_STATIC);
        run(pack);
        execute("COMMIT");
    }
    double cpu = cpu_seconds() - cpu0, wall = wall_seconds() - wall0;
    printf("ingest_floor sqlite=%s group=%d notifications=%ld cpu_per_notification=%.1fus wall_per_notification=%.1fus\n",
           plain ? "plain" : "plugins", group, done, cpu / done * 1e6, wall / done * 1e6);
    sqlite3_close(db);
    free(bodies);
    return 0;
}
