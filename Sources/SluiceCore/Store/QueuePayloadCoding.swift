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

    /// The suppressed-recipient list, written by hand (`JSONEncoder` cost a few percent of an accept
    /// even for the usual empty list); the same keys and order, read back by `decode`.
    public static func encode(_ list: [DroppedRecipient]) throws(StoreError) -> [UInt8] {
        guard !list.isEmpty else { return Array("[]".utf8) }
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, item) in list.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"address":"#.utf8)
            JSONBytes.string(item.address, into: &out)
            out.append(contentsOf: #","reason":"#.utf8)
            JSONBytes.string(item.reason, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    public static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws(StoreError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw StoreError(.corrupt, "queued message payload does not decode", underlying: error)
        }
    }
}
