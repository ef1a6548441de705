import Foundation
import SluiceTestSupport
import Testing

/// The fuzz seeds that are copies of repository files (Tests/Fuzz/Corpus/README.md) must stay copies:
/// a stale seed no longer reaches the paths the current file format takes.
struct FuzzCorpusCopiesTests {
    static let corpus = repositoryRoot.appendingPathComponent("Tests/Fuzz/Corpus")

    static func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    @Test func exampleConfigurationSeedIsTheCommittedExample() throws {
        let seed = try Self.bytes(Self.corpus.appendingPathComponent("toml-config/sluice.example.toml"))
        #expect(seed == (try Self.bytes(repositoryRoot.appendingPathComponent("Config/sluice.example.toml"))),
                "cp Config/sluice.example.toml Tests/Fuzz/Corpus/toml-config/")
    }

    @Test func sesEventSeedsAreFixtureCopies() throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/ses-events")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.appendingPathComponent("ses-event").path)
        #expect(!names.isEmpty)
        for name in names {
            let source = name.hasPrefix("notification.")
                ? fixtures.appendingPathComponent("notification/" + name.dropFirst("notification.".count))
                : fixtures.appendingPathComponent("event/" + name)
            let seed = try Self.bytes(Self.corpus.appendingPathComponent("ses-event/" + name))
            #expect(seed == (try? Self.bytes(source)), "\(name) differs from \(source.path)")
        }
    }

    @Test func snsMessageSeedsAreFixtureCopies() throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/sns")
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.appendingPathComponent("sns-message").path)
        #expect(!names.isEmpty)
        for name in names {
            let seed = try Self.bytes(Self.corpus.appendingPathComponent("sns-message/" + name))
            let copies = ["genuine", "genuine-lambda-format", "negative"].compactMap {
                try? Self.bytes(fixtures.appendingPathComponent("\($0)/\(name)"))
            }
            #expect(copies.contains(seed), "\(name) is no copy of a file in Tests/Fixtures/sns/{genuine,genuine-lambda-format,negative}")
        }
    }
}
