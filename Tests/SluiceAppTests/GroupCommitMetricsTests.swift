import SluiceTestSupport
import Foundation
import SluiceCore
import SluiceHTTP
import Testing
@testable import SluiceApp

/// `sluice_store_*` on `/metrics`: the SQLite writer's group-commit counters, read at each scrape.
@Suite(.serialized)
struct GroupCommitMetricsTests {
    @Test func scrapesShowTheWritersCountersOnceEach() async throws {
        try await withFixture(try await SNSAppHarness.make()) { harness in
            let envelopes = try await SNSEnvelope.signedBounces(harness.pki, certURL: harness.certURL, count: 24) { "group\($0)@example.com" }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for envelope in envelopes { group.addTask { try await harness.post(envelope).status } }
                for try await status in group { #expect(status == 200) }
            }

            // Other workers may write between the readings: a scrape lies between the writer's counters read
            // just before and just after it. A scrape that added the totals again (not the difference) would
            // exceed the later reading on the second round.
            for _ in 0..<2 {
                let before = try #require(harness.context.store.groupCommitStatistics)
                let scraped = try await scrape(harness)
                let after = try #require(harness.context.store.groupCommitStatistics)
                let jobs = try #require(scraped["sluice_store_write_jobs_total"])
                let commits = try #require(scraped["sluice_store_commits_total"])
                let syncs = try #require(scraped["sluice_store_wal_syncs_total"])
                #expect(Double(before.jobs) <= jobs && jobs <= Double(after.jobs))
                #expect(Double(before.commits) <= commits && commits <= Double(after.commits))
                #expect(Double(before.syncs) <= syncs && syncs <= Double(after.syncs))
                #expect(jobs >= 24, "every acknowledged notification was one write job")
                #expect(commits >= 1 && commits <= jobs)
                #expect(syncs >= 1)
                #expect(scraped["sluice_store_commit_failures_total"] == 0)
                #expect(scraped["sluice_store_wal_sync_failures_total"] == 0)
                #expect(scraped["sluice_store_database_sync_failures_total"] == 0)
                #expect(scraped["sluice_store_failed_jobs_total"] == 0)
                #expect(try #require(scraped["sluice_store_largest_commit_jobs"]) >= 1)
                #expect(scraped["sluice_store_checkpoints_total"] != nil)
            }
        }
    }

    /// The unlabelled `sluice_store_*` series of one `/metrics` answer, fetched over the socket.
    private func scrape(_ harness: SNSAppHarness) async throws -> [String: Double] {
        let response = try await harness.client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(harness.port)/metrics"))
        #expect(response.status == 200)
        var values: [String: Double] = [:]
        for line in response.bodyText.split(separator: "\n") where line.hasPrefix("sluice_store_") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }
}
