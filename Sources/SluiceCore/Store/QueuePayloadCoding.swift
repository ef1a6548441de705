import Foundation

/// The JSON form of queued-message payloads in `outbound_messages`, shared by every backend.
public enum QueuePayloadCoding {
    public static func encode<T: Encodable>(_ value: T) throws(StoreError) -> [UInt8] {
        do {
            return Array(try JSONEncoder().encode(value))
        } catch {
            throw StoreError(.invalidInput, "cannot encode queued message", underlying: error)
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws(StoreError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw StoreError(.corrupt, "queued message payload does not decode", underlying: error)
        }
    }
}
