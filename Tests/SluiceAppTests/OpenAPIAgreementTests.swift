import Foundation
import SluiceApp
import SluiceHTTP
import SluiceTestSupport
import Testing

/// Config/openapi.yaml and `Application.routes` describe the same API.
struct OpenAPIAgreementTests {
    /// `(METHOD, path)` pairs: path keys at 2-space indent under `paths:`, method keys at 4.
    static func documentedOperations(_ yaml: String) -> Set<String> {
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "options", "head", "trace"]
        var inPaths = false
        var path: String?
        var operations: Set<String> = []
        for raw in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { continue }
            let indent = line.prefix { $0 == " " }.count
            if indent == 0 {
                inPaths = line.hasPrefix("paths:")
                path = nil
                continue
            }
            guard inPaths else { continue }
            let key = line.dropFirst(indent).split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            if indent == 2 {
                path = key.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            } else if indent == 4, let path, methods.contains(key) {
                operations.insert("\(key.uppercased()) \(path)")
            }
        }
        return operations
    }

    static var documentURL: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("Config/openapi.yaml")
    }

    @Test func readerFindsPathsAndMethods() {
        let yaml = "openapi: 3.1.0\npaths:\n  /a/{id}:\n    parameters:\n      - x\n    get:\n      summary: s\n    delete:\n      x: 1\n  /b:\n    post: {}\ncomponents:\n  get:\n    put: {}\n"
        #expect(Self.documentedOperations(yaml) == ["GET /a/{id}", "DELETE /a/{id}", "POST /b"])
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteIsServed() async throws {
        let yaml = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let documented = Self.documentedOperations(yaml)
        let t = try SuppressionTestApp()
        try await withFixture(t) { t in
            let served = Set(t.app.routes.filter { $0.method != .HEAD }.map { "\($0.method.rawValue) \($0.pattern)" })
            #expect(served.subtracting(documented).isEmpty, "served but undocumented: \(served.subtracting(documented).sorted())")
            #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
            // The reader found the document's routes at all (an empty set would agree with nothing served).
            #expect(documented.count >= 20)
        }
    }
}
