/// Formatting helpers for the Prometheus text exposition format 0.0.4.
enum PrometheusText {
    /// Whether `name` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            let ok = isLetter(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":") || (!first && isDigit(b))
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// Whether `name` matches `[a-zA-Z_][a-zA-Z0-9_]*` and does not start with the reserved `__`.
    static func isValidLabelName(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            let ok = isLetter(b) || b == UInt8(ascii: "_") || (!first && isDigit(b))
            if !ok { return false }
            first = false
        }
        return !first && !name.hasPrefix("__")
    }

    /// Escapes a label value: backslash, double quote and line feed.
    static func escapeLabelValue(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// Escapes HELP text: backslash and line feed.
    static func escapeHelp(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A sample value: integers without a fraction, `+Inf`, `-Inf`, `NaN`, otherwise the shortest round-trip form.
    static func formatValue(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// `{a="x",b="y"}` from sorted pairs, or "" when there are none.
    static func labelString(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
    }

    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }
}
