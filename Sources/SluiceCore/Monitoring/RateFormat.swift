import Foundation

/// Locale-independent number formatting shared by the text, Slack and HTML renderers.
enum RateFormat {
    /// A fraction as a percentage with up to `decimals` decimals and no trailing zeros: 0.0123 → "1.23%".
    static func percent(_ fraction: Double, decimals: Int = 3) -> String {
        guard fraction.isFinite else { return "n/a" }
        var s = String(format: "%.\(decimals)f", fraction * 100)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        if s == "-0" { s = "0" }
        return s + "%"
    }

    /// An optional fraction as a percentage, "-" when absent.
    static func percent(_ fraction: Double?) -> String {
        fraction.map { percent($0) } ?? "-"
    }

    /// A plain decimal with up to `decimals` decimals and no trailing zeros.
    static func number(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "n/a" }
        var s = String(format: "%.\(decimals)f", value)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}
