import Foundation

/// Reads files under `Tests/Fixtures/ses-events/`.
enum SESFixtures {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests", url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("Fixtures/ses-events")
    }()

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relativePath)))
    }

    /// Every `*.json` fixture except `index.json`, as paths relative to `ses-events/`.
    static func allEventFiles() throws -> [String] {
        var files: [String] = []
        for folder in ["event", "notification"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(folder).path)
            files += names.filter { $0.hasSuffix(".json") }.map { "\(folder)/\($0)" }
        }
        return files.sorted()
    }

    struct IndexEntry: Decodable {
        var file: String
        var format: String
        var type: String
        var bounceType: String?
        var bounceSubType: String?
        var complaintFeedbackType: String?
        var complaintSubType: String?
    }

    static func index() throws -> [IndexEntry] {
        try JSONDecoder().decode([IndexEntry].self, from: Data(bytes("index.json")))
    }
}
