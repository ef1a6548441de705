import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

struct MigrationTests {
    @Test func migratesAnEmptyFileAndCreatesItsDirectory() async throws {
        let directory = try TemporaryDirectory()
        let store = try directory.openStore()
        defer { store.close() }
        #expect(FileManager.default.fileExists(atPath: directory.databasePath))
        #expect(try await store.schemaVersion() == Schema.migrations.last?.version)
        #expect(try await store.integrityCheck(quick: false) == [])
        #expect(try await store.integrityCheck(quick: true) == [])
    }

    @Test func rerunIsIdempotent() async throws {
        let directory = try TemporaryDirectory()
        do {
            let store = try directory.openStore()
            try await store.putManual(.make())
            #expect(try await store.migrate() == [])
            store.close()
        }
        let reopened = try directory.openStore()
        defer { reopened.close() }
        #expect(try await reopened.migrate() == [])
        #expect(try await reopened.schemaVersion() == Schema.migrations.last?.version)
        #expect(try await reopened.suppression(for: "user@example.com", scope: nil, at: referenceDate) != nil)
    }

    @Test func appendedMigrationAppliesOnReopen() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore().close()
        let nextVersion = (Schema.migrations.last?.version ?? 0) + 1
        let next = Migration(version: nextVersion, name: "appended", sql: "CREATE TABLE appended (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        let store = try directory.openStore(migrations: Schema.migrations + [next])
        defer { store.close() }
        #expect(try await store.schemaVersion() == nextVersion)
        #expect(try await store.migrate() == [])
    }

    @Test func requireCurrentRefusesAnOlderSchemaAndLeavesItAsItIs() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore(migrations: Array(Schema.migrations.dropLast())).close()
        var configuration = SQLiteStoreConfiguration(path: directory.databasePath)
        configuration.migration = .requireCurrent
        let error = #expect(throws: StoreError.self) { try SQLiteStore(configuration: configuration) }
        #expect(error?.code == .migration)
        #expect(error?.message.contains("sluice migrate") == true)
        // Nothing was applied: a store that may migrate finds the last migration still pending.
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await store.schemaVersion() == Schema.migrations.last?.version)
        let reopened = try SQLiteStore(configuration: configuration)  // current now: opens
        reopened.close()
    }

    /// v13 keys subscriptions by topic and endpoint: a row recorded before keeps every field.
    @Test func subscriptionsKeepTheirRowsWhenKeyedPerEndpoint() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore(migrations: Schema.migrations.filter { $0.version < 13 }).close()
        do {
            let database = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 1000)
            try database.execute("""
                INSERT INTO sns_subscriptions (topic_arn, endpoint, state, subscription_arn, subscribe_url, token, updated_at)
                VALUES ('arn:aws:sns:us-east-1:123456789012:ses', 'marketing', 'confirmed', 'arn:sub', 'https://sns/confirm', 'tok', 1700000000000)
                """)
        }
        let store = try directory.openStore()
        defer { store.close() }
        let record = try await store.subscription(topicArn: "arn:aws:sns:us-east-1:123456789012:ses")
        #expect(record == SNSSubscriptionRecord(
            topicArn: "arn:aws:sns:us-east-1:123456789012:ses", endpoint: "marketing", state: .confirmed, subscriptionArn: "arn:sub",
            subscribeURL: "https://sns/confirm", token: "tok", updatedAt: Date(timeIntervalSince1970: 1_700_000_000)))
    }

    @Test func openingACurrentDatabaseWaitsForNoWriter() throws {
        let directory = try TemporaryDirectory()
        try directory.openStore().close()
        // Another process's long write transaction holds the write lock.
        let writer = try Database(path: directory.databasePath, readOnly: false, busyTimeoutMilliseconds: 100)
        try writer.execute("BEGIN IMMEDIATE")
        defer { try? writer.execute("ROLLBACK") }
        for migration in [SchemaMigration.apply, .requireCurrent] {
            var configuration = SQLiteStoreConfiguration(path: directory.databasePath, busyTimeoutMilliseconds: 100)
            configuration.migration = migration
            let store = try SQLiteStore(configuration: configuration)
            store.close()
        }
    }

    @Test func refusesNewerSchema() throws {
        let directory = try TemporaryDirectory()
        let future = Migration(version: 99, name: "future", sql: "CREATE TABLE future (x)")
        try directory.openStore(migrations: Schema.migrations + [future]).close()
        let error = #expect(throws: StoreError.self) { try directory.openStore() }
        #expect(error?.code == .migration)
    }

    @Test func refusesRenamedMigration() throws {
        let directory = try TemporaryDirectory()
        try directory.openStore().close()
        var renamed = Schema.migrations
        renamed[0].name = "something_else"
        let error = #expect(throws: StoreError.self) { try directory.openStore(migrations: renamed) }
        #expect(error?.code == .migration)
    }

    @Test func failedMigrationLeavesSchemaUnchanged() async throws {
        let directory = try TemporaryDirectory()
        try directory.openStore().close()
        let current = Schema.migrations.last?.version ?? 0
        let broken = Migration(version: current + 1, name: "broken", sql: "CREATE TABLE half (x); SELECT * FROM no_such_table")
        let error = #expect(throws: StoreError.self) { try directory.openStore(migrations: Schema.migrations + [broken]) }
        #expect(error?.code == .migration)
        let store = try directory.openStore()
        defer { store.close() }
        #expect(try await store.schemaVersion() == current)
        let fixed = Migration(version: current + 1, name: "broken", sql: "CREATE TABLE half (x)")
        let again = try directory.openStore(migrations: Schema.migrations + [fixed])  // `half` was rolled back
        again.close()
    }

    @Test func rejectsAFileThatIsNotADatabase() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: (directory.databasePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: directory.databasePath))
        let error = #expect(throws: StoreError.self) { try directory.openStore() }
        #expect(error?.code == .corrupt)
    }

    @Test func unopenablePathIsUnavailable() throws {
        let directory = try TemporaryDirectory()
        // The parent "directory" is a regular file, so neither it nor the database can be created.
        let blocker = directory.url.appendingPathComponent("file")
        try Data().write(to: blocker)
        let configuration = SQLiteStoreConfiguration(path: blocker.appendingPathComponent("sluice.sqlite").path)
        let error = #expect(throws: StoreError.self) { try SQLiteStore(configuration: configuration) }
        #expect(error?.code == .unavailable)
    }
}
