import Foundation
import SluiceCore

extension SluiceConfiguration {
    /// The effective configuration as TOML, secrets redacted, each line annotated with its source.
    public func renderEffective() -> String {
        var out = ""
        for (section, keys) in Self.keysBySection() {
            out += out.isEmpty ? "[\(section)]\n" : "\n[\(section)]\n"
            for key in keys {
                let value = values[key.path] ?? key.defaultValue
                let shown = key.secret && value != key.defaultValue ? Self.redacted(value) : Self.toml(value)
                out += "\(key.key) = \(shown)  # \(sources[key.path]?.rawValue ?? "default")\n"
            }
        }
        return out
    }

    /// The documented example file: every key with its default and help text.
    public static func renderExample() -> String {
        var out = """
        # Sluice configuration. Every key is optional; shown values are the defaults.
        # Each key can be overridden by the environment variable SLUICE_<SECTION>_<KEY>,
        # e.g. SLUICE_HTTP_PORT=9090 or SLUICE_SNS_TOPIC_ARNS=arn:aws:sns:us-east-1:123456789012:ses-*
        # (lists are comma-separated there). Run `sluice config check` to see the effective values.

        """
        for (section, keys) in keysBySection() {
            out += "\n[\(section)]\n"
            for key in keys {
                out += "# \(key.help) (\(key.environmentName))\n"
                out += "\(key.key) = \(toml(key.defaultValue))\n"
            }
        }
        return out
    }

    /// `ConfigurationKey.all` grouped under one header per section (TOML forbids repeating a table), sections
    /// in the order they first appear and keys in their order within each.
    static func keysBySection() -> [(section: String, keys: [ConfigurationKey])] {
        var groups: [(section: String, keys: [ConfigurationKey])] = []
        var index: [String: Int] = [:]
        for key in ConfigurationKey.all {
            if let at = index[key.section] {
                groups[at].keys.append(key)
            } else {
                index[key.section] = groups.count
                groups.append((key.section, [key]))
            }
        }
        return groups
    }

    static func redacted(_ value: TOMLValue) -> String {
        if case .array(let items) = value { return "[" + items.map { _ in "\"<redacted>\"" }.joined(separator: ", ") + "]" }
        return "\"<redacted>\""
    }

    static func toml(_ value: TOMLValue) -> String {
        switch value {
        case .string(let s):
            var escaped = ""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\t": escaped += "\\t"
                case _ where scalar.value < 0x20: escaped += String(format: "\\u%04X", scalar.value)
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "\"\(escaped)\""
        case .integer(let i): return String(i)
        case .float(let d): return d == d.rounded() && abs(d) < 1e15 ? String(format: "%.1f", d) : String(d)
        case .boolean(let b): return String(b)
        case .array(let items): return "[" + items.map(toml).joined(separator: ", ") + "]"
        }
    }
}
