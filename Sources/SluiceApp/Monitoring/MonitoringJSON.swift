import Foundation

/// The JSON form of monitoring API and CLI output: ISO 8601 dates (types spell their snake_case keys themselves, so
/// no key strategy rewrites identity names used as dictionary keys), sorted keys.
enum MonitoringJSON {
    static func encode(_ value: some Encodable, pretty: Bool = false) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// `encode` as a UTF-8 string (for the CLI).
    static func string(_ value: some Encodable, pretty: Bool = true) throws -> String {
        String(decoding: try encode(value, pretty: pretty), as: UTF8.self)
    }
}
