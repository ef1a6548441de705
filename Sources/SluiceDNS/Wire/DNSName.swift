/// Conversions between presentation-form names ("mail.example.com", `\DDD` escapes) and wire labels.
public enum DNSName {
    /// Splits a presentation name into wire labels; "" and "." are the root.
    /// - Throws: `.invalidName` for empty or over-long labels, names over 255 bytes, or non-ASCII.
    public static func labels(of name: String) throws(DNSError) -> [[UInt8]] {
        var labels: [[UInt8]] = []
        var current: [UInt8] = []
        var utf8 = Array(name.utf8)
        if utf8.last == UInt8(ascii: ".") && !(utf8.count >= 2 && utf8[utf8.count - 2] == UInt8(ascii: "\\")) {
            utf8.removeLast()
        }
        if utf8.isEmpty { return [] }
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            guard byte < 0x80 else { throw DNSError(.invalidName, "name is not ASCII (use its A-label form)") }
            if byte == UInt8(ascii: "\\") {
                let digits = utf8[(index + 1)...].prefix(3)
                if digits.count == 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
                    guard value <= 255 else { throw DNSError(.invalidName, "escape \\DDD above 255") }
                    current.append(UInt8(value))
                    index += 4
                } else if index + 1 < utf8.count {
                    current.append(utf8[index + 1])
                    index += 2
                } else {
                    throw DNSError(.invalidName, "name ends with a backslash")
                }
                continue
            }
            if byte == UInt8(ascii: ".") {
                labels.append(current)
                current = []
            } else {
                current.append(byte)
            }
            index += 1
        }
        labels.append(current)
        var total = 1
        for label in labels {
            guard !label.isEmpty else { throw DNSError(.invalidName, "name has an empty label") }
            guard label.count <= 63 else { throw DNSError(.invalidName, "label longer than 63 bytes") }
            total += label.count + 1
        }
        guard total <= 255 else { throw DNSError(.invalidName, "name longer than 255 bytes") }
        return labels
    }

    /// Joins wire labels into presentation form, escaping '.', '\' and non-printable bytes as `\DDD`.
    static func presentation<C: Collection>(of labels: C) -> String where C.Element: Collection<UInt8> {
        var out = ""
        for label in labels {
            if !out.isEmpty { out.append(".") }
            for byte in label {
                if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "."), byte != UInt8(ascii: "\\") {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    let digits = String(byte)
                    out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
        }
        return out
    }

    /// Lowercases and strips one trailing dot: the form names are compared in.
    public static func normalized(_ name: String) -> String {
        var lower = name.lowercased()
        if lower.hasSuffix(".") { lower.removeLast() }
        return lower
    }

    /// Whether `name` is a plausible host name: LDH labels (underscore allowed), 1-63 bytes, ≤ 253 total,
    /// at least two labels.
    public static func isValidHostName(_ name: String) -> Bool {
        let normalized = normalized(name)
        guard !normalized.isEmpty, normalized.utf8.count <= 253 else { return false }
        let labels = normalized.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-") else {
                return false
            }
            for byte in label.utf8 {
                let ok = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F
                if !ok { return false }
            }
        }
        return true
    }
}
