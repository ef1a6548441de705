import Foundation

extension DomainReport {
    /// One line per check, `PASS  spf.record  message`, then `  fix: ...` when there is a fix,
    /// and a closing summary line. Status words are padded to five columns (ERROR is the longest).
    public func renderText() -> String {
        var lines: [String] = []
        for check in checks {
            let word = check.status.rawValue.uppercased()
            lines.append(word.padding(toLength: 5, withPad: " ", startingAt: 0) + " \(check.id)  \(check.message)")
            if let fix = check.fix { lines.append("  fix: \(fix)") }
        }
        let s = summary
        lines.append("\(domain): \(s.pass) pass, \(s.warn) warn, \(s.fail) fail, \(s.error) error")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pretty-printed JSON with sorted keys (stable for diffs and golden files).
    public func renderJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
