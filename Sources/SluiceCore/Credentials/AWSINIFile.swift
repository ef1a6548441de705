/// The INI dialect of `~/.aws/credentials` and `~/.aws/config`.
///
/// Sections `[name]`; `key = value` (first `=` splits; keys lower-cased as botocore's configparser does);
/// whole-line comments `#`/`;`; an inline comment needs whitespace before `#`/`;`; indented lines after a key continue
/// it or form a nested block (`s3 =` + indented settings) and are skipped. Later duplicates win.
public struct AWSINIFile: Sendable, Equatable {
    /// Section name → its key/value pairs (keys lower-cased).
    public private(set) var sections: [String: [String: String]] = [:]

    /// Parses the text; never throws (lines it cannot read are ignored, as the SDKs do).
    public init(_ text: String) {
        var current: String?
        var sawKeyInSection = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = Substring(rawLine)
            let trimmed = line.awsINITrimmed()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if line.first == " " || line.first == "\t", sawKeyInSection {
                // Continuation or nested sub-setting (`s3 =` block): belongs to the previous key.
                continue
            }
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    current = nil
                    continue
                }
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].awsINITrimmed()
                current = String(name)
                sawKeyInSection = false
                if sections[String(name)] == nil { sections[String(name)] = [:] }
                continue
            }
            guard let section = current, let eq = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<eq].awsINITrimmed().lowercased()
            var value = trimmed[trimmed.index(after: eq)...].awsINITrimmed()
            value = Self.stripInlineComment(value)
            guard !key.isEmpty else { continue }
            sawKeyInSection = true
            sections[section]?[key] = String(value)
        }
    }

    /// The section's settings, or nil when the section is absent.
    public subscript(section: String) -> [String: String]? { sections[section] }

    private static func stripInlineComment(_ value: Substring) -> Substring {
        var previous: Character = "x"
        for i in value.indices {
            let c = value[i]
            if (c == "#" || c == ";"), previous == " " || previous == "\t" {
                return value[..<i].awsINITrimmed()
            }
            previous = c
        }
        return value
    }
}

extension Substring {
    func awsINITrimmed() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return s
    }
}
