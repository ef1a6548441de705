import Foundation
import SluiceCore

/// Where an effective value came from.
public enum ConfigurationSource: String, Sendable {
    case defaultValue = "default", file, environment
}

/// Resolves defaults, then the file, then `SLUICE_*` environment variables, validating each value.
public struct ConfigurationLoader: Sendable {
    public init() {}

    /// - Parameters:
    ///   - fileText: the configuration file's contents, if a file was named.
    ///   - fileName: used in messages.
    ///   - environment: the process environment; only `SLUICE_*` names are read.
    public func load(fileText: String?, fileName: String = "configuration file", environment: [String: String]) throws(ConfigurationError) -> SluiceConfiguration {
        var values: [String: TOMLValue] = [:]
        var sources: [String: ConfigurationSource] = [:]
        for key in ConfigurationKey.all {
            values[key.path] = key.defaultValue
            sources[key.path] = .defaultValue
        }
        if let fileText {
            let parsed: [String: TOMLValue]
            do {
                // A syntax error in a secret's value (say, a password without quotes) must not print it.
                parsed = try TOMLParser.parse(fileText, isSecret: { ConfigurationKey.byPath[$0]?.secret == true })
            } catch {
                throw ConfigurationError(.syntax, "\(fileName): \(error)")
            }
            for (path, value) in parsed.sorted(by: { $0.key < $1.key }) {
                guard let key = ConfigurationKey.byPath[path] else {
                    throw ConfigurationError(.unknownKey, "\(fileName): unknown key '\(path)'\(Self.suggestion(for: path))")
                }
                values[path] = try Self.validate(value, for: key, origin: fileName)
                sources[path] = .file
            }
        }
        var warnings: [String] = []
        for (name, raw) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("SLUICE_") {
            guard let key = ConfigurationKey.byEnvironmentName[name] else {
                guard !Self.nonKeyEnvironment.contains(name) else { continue }
                // Under a known section it is a mistyped key, and a file's mistyped key is fatal too: carrying
                // on with the default (SHA-1 accepted, another database, no topics) would be silent.
                if let path = Self.keyPath(forEnvironmentName: name), !Self.isServiceLink(name) {
                    let nearest = Self.nearestKey(to: path).map { " (did you mean \($0.environmentName)?)" } ?? ""
                    throw ConfigurationError(.unknownKey, "unknown environment variable \(name)\(nearest)")
                }
                warnings.append("ignoring unknown environment variable \(name)")
                continue
            }
            values[key.path] = try Self.validate(Self.parseEnvironment(raw, for: key), for: key, origin: name)
            sources[key.path] = .environment
        }
        var configuration = SluiceConfiguration(values: values, sources: sources, warnings: warnings)
        try configuration.checkCrossKeyRules()
        configuration.warnings += configuration.advisories()
        return configuration
    }

    /// Environment names that are not configuration keys but are read by Sluice or its tests.
    static let nonKeyEnvironment: Set<String> = ["SLUICE_CONFIG"]

    static func parseEnvironment(_ raw: String, for key: ConfigurationKey) -> TOMLValue {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        switch key.kind {
        case .stringList:
            return .array(trimmed.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 != .string("") })
        case .integer:
            return Int(trimmed).map(TOMLValue.integer) ?? .string(raw)
        case .float:
            return Double(trimmed).map(TOMLValue.float) ?? .string(raw)
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "1", "yes", "on": return .boolean(true)
            case "false", "0", "no", "off": return .boolean(false)
            default: return .string(raw)
            }
        case .string, .choice:
            return .string(raw)
        }
    }

    static func validate(_ value: TOMLValue, for key: ConfigurationKey, origin: String) throws(ConfigurationError) -> TOMLValue {
        func invalid(_ expectation: String) -> ConfigurationError {
            let shown = key.secret ? "<redacted>" : Self.describe(value)
            return ConfigurationError(.invalidValue, "\(origin): invalid value \(shown) for '\(key.path)': expected \(expectation)")
        }
        switch (key.kind, value) {
        case (.string, .string):
            return value
        case (.choice(let options), .string(let s)):
            guard options.contains(s) else { throw invalid("one of \(options.joined(separator: ", "))") }
            return value
        case (.integer(let range), .integer(let i)):
            guard range.contains(i) else { throw invalid("an integer in \(range.lowerBound)...\(range.upperBound)") }
            return value
        case (.float(let range), .integer(let i)):
            guard range.contains(Double(i)) else { throw invalid("a number in \(range.lowerBound)...\(range.upperBound)") }
            return .float(Double(i))
        case (.float(let range), .float(let d)):
            guard range.contains(d) else { throw invalid("a number in \(range.lowerBound)...\(range.upperBound)") }
            return value
        case (.boolean, .boolean):
            return value
        case (.stringList, .array(let items)):
            guard items.allSatisfy({ if case .string = $0 { true } else { false } }) else { throw invalid("a list of strings") }
            return value
        case (.integer(let range), _):
            throw invalid("an integer in \(range.lowerBound)...\(range.upperBound)")
        case (.float(let range), _):
            throw invalid("a number in \(range.lowerBound)...\(range.upperBound)")
        case (.boolean, _):
            throw invalid("true or false")
        case (.stringList, _):
            throw invalid("a list of strings")
        case (.string, _), (.choice, _):
            throw invalid("a string")
        }
    }

    static func describe(_ value: TOMLValue) -> String {
        switch value {
        case .string(let s): return "\"\(s.prefix(80))\""
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .boolean(let b): return String(b)
        case .array(let items): return "[" + items.map(describe).joined(separator: ", ") + "]"
        }
    }

    /// `section.key` for `SLUICE_SECTION_KEY` when SECTION is a configuration section; nil otherwise.
    static func keyPath(forEnvironmentName name: String) -> String? {
        let rest = name.dropFirst("SLUICE_".count).lowercased()
        // The longest section first, should one section's name start another's.
        for section in ConfigurationKey.sections.sorted(by: { $0.count > $1.count }) where rest.hasPrefix(section + "_") {
            return section + "." + rest.dropFirst(section.count + 1)
        }
        return nil
    }

    /// A variable Kubernetes adds for each Service of the namespace (`SLUICE_API_SERVICE_HOST` for a Service
    /// `sluice-api`, `SLUICE_DATABASE_PORT_5432_TCP`…): not a mistyped key, whatever section it starts with.
    static func isServiceLink(_ name: String) -> Bool {
        name.contains("_SERVICE_HOST") || name.contains("_SERVICE_PORT") || name.hasSuffix("_PORT") || name.contains("_PORT_")
    }

    /// The known key closest to `path` in edit distance, if close enough to be a misspelling of it.
    static func nearestKey(to path: String) -> ConfigurationKey? {
        let best = ConfigurationKey.all.map { ($0, editDistance($0.path, path)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= 3 else { return nil }
        return best.0
    }

    /// "did you mean" for a misspelt key in the file.
    static func suggestion(for path: String) -> String {
        nearestKey(to: path).map { " (did you mean '\($0.path)'?)" } ?? ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
