import Foundation

/// Report dates are ISO 8601 strings in JSON, whatever date strategy the caller's encoder uses.
enum ReportDate {
    static func decode<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Date {
        let s = try c.decode(String.self, forKey: key)
        do {
            return try Date(s, strategy: .iso8601)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "expected an ISO 8601 date")
        }
    }

    static func decodeIfPresent<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Date? {
        guard try c.decodeNil(forKey: key) == false else { return nil }
        return try decode(c, key)
    }
}
