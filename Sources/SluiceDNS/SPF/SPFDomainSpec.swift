/// Syntax of SPF domain-spec and macro-string (RFC 7208 §7.1, §12).
enum SPFDomainSpec {
    /// Why `spec` is not a valid domain-spec, or nil when it is.
    static func problem(_ spec: String) -> String? {
        if spec.isEmpty { return "empty domain" }
        if let reason = macroStringProblem(spec) { return reason }
        // domain-end = ( "." toplabel [ "." ] ) / macro-expand
        if spec.hasSuffix("}") { return nil }
        var name = Substring(spec)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard let dot = name.lastIndex(of: ".") else { return "'\(spec)' is not a fully qualified domain" }
        let top = name[name.index(after: dot)...]
        let alphanumeric = top.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        guard !top.isEmpty, alphanumeric, top.contains(where: \.isLetter), !top.hasPrefix("-"), !top.hasSuffix("-")
        else { return "'\(spec)' does not end in a valid top-level label" }
        if name.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            return "'\(spec)' has an empty label"
        }
        return nil
    }

    /// Why `text` is not a valid macro-string, or nil when it is.
    static func macroStringProblem(_ text: String) -> String? {
        let chars = Array(text.unicodeScalars)
        var index = 0
        while index < chars.count {
            let c = chars[index]
            guard c.value >= 0x21 && c.value <= 0x7E else { return "invalid character in '\(text)'" }
            guard c == "%" else {
                index += 1
                continue
            }
            guard index + 1 < chars.count else { return "'%' at the end of '\(text)'" }
            let next = chars[index + 1]
            if next == "%" || next == "_" || next == "-" {
                index += 2
                continue
            }
            guard next == "{" else { return "invalid macro '%\(next)' in '\(text)'" }
            guard let close = chars[(index + 2)...].firstIndex(of: "}") else { return "unclosed macro in '\(text)'" }
            let body = chars[(index + 2)..<close]
            if let reason = macroBodyProblem(body) { return "\(reason) in '\(text)'" }
            index = close + 1
        }
        return nil
    }

    /// macro-letter *DIGIT [ "r" ] *delimiter
    private static func macroBodyProblem(_ body: ArraySlice<Unicode.Scalar>) -> String? {
        guard let letter = body.first, "slodiphcrtvSLODIPHCRTV".unicodeScalars.contains(letter) else {
            return "invalid macro letter"
        }
        var rest = body.dropFirst()
        while let c = rest.first, c.properties.numericType != nil, c.isASCII { rest = rest.dropFirst() }
        if let c = rest.first, c == "r" || c == "R" { rest = rest.dropFirst() }
        guard rest.allSatisfy({ ".-+,/_=".unicodeScalars.contains($0) }) else { return "invalid macro transformer" }
        return nil
    }

    /// Whether a domain spec contains macros (so it cannot be looked up without a message).
    static func hasMacro(_ spec: String) -> Bool { spec.contains("%{") }
}
