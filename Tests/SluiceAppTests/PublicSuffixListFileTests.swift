import Foundation
import Logging
import Testing
import SluiceDNS
@testable import SluiceApp

/// Loading `dns.public_suffix_list`: a usable file gives the list; anything else the approximation.
struct PublicSuffixListFileTests {
    let logger = Logger(label: "sluice.psl.tests")

    private func file(_ bytes: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("psl-\(UUID().uuidString).dat").path
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aListFileIsUsed() throws {
        let path = try file(Data("// test\nat\nco.at\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let organisational = PublicSuffixListFile.organisationalDomain(path: path, logger: logger)
        #expect(organisational.publicSuffixes?.count == 2)
        #expect(organisational.of("news.example.co.at") == "example.co.at")
    }

    @Test func missingEmptyOversizedOrNonUTF8FilesFallBackToTheApproximation() throws {
        #expect(PublicSuffixListFile.organisationalDomain(path: "", logger: logger) == .approximate)
        #expect(PublicSuffixListFile.organisationalDomain(path: "/nonexistent/psl.dat", logger: logger) == .approximate)
        let comments = try file(Data("// nothing but comments\n".utf8))
        let oversized = try file(Data(repeating: UInt8(ascii: "a"), count: PublicSuffixList.maxBytes + 1))
        let binary = try file(Data([0x63, 0x6F, 0xFF, 0xFE, 0x0A]))
        defer { for path in [comments, oversized, binary] { try? FileManager.default.removeItem(atPath: path) } }
        #expect(throws: PublicSuffixListFile.Failure.self) { try PublicSuffixListFile.read(path: comments) }
        #expect((try? PublicSuffixListFile.read(path: oversized)) == nil)
        #expect((try? PublicSuffixListFile.read(path: binary)) == nil)
        #expect(PublicSuffixListFile.organisationalDomain(path: oversized, logger: logger) == .approximate)
    }
}
