import Glibc

/// Strings for header names and values that arrive again and again, returned for an exact byte match.
///
/// Every request otherwise builds a new `String` per name and value (validating the UTF-8, and
/// allocating for anything over 15 bytes: `x-amz-sns-message-type`, `text/plain; charset=UTF-8`).
/// A match is byte-for-byte, case included, so the result is exactly the string that decoding the
/// bytes would give; anything else is decoded as before.
struct HeaderTextTable: Sendable {
    /// Every known text's bytes, back to back.
    private let bytes: [UInt8]
    /// Per known text, ordered by length: where its bytes start in `bytes`, and the shared string.
    private let texts: [(offset: Int, string: String)]
    /// For each byte length, the range of `texts` with that length.
    private let byLength: [Range<Int>]

    /// The default table: common request header names and the values SNS and typical clients send.
    static let common = HeaderTextTable([
        // Names, in the spellings clients send.
        "Host", "host", "User-Agent", "user-agent", "Accept", "accept", "Accept-Encoding", "accept-encoding",
        "Content-Type", "content-type", "Content-Length", "content-length", "Connection", "connection",
        "Authorization", "authorization", "Transfer-Encoding", "transfer-encoding", "Expect", "X-Request-Id",
        "x-amz-sns-message-type", "x-amz-sns-message-id", "x-amz-sns-topic-arn", "x-amz-sns-subscription-arn",
        "x-amz-sns-rawdelivery", "X-Amz-Sns-Message-Type", "X-Amz-Sns-Message-Id", "X-Amz-Sns-Topic-Arn",
        "X-Amz-Sns-Subscription-Arn",
        // Values.
        "Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation", "keep-alive", "close", "*/*",
        "text/plain; charset=UTF-8", "application/json", "Amazon Simple Notification Service Agent", "gzip,deflate",
        "true", "false",
    ])

    init(_ list: [String]) {
        var unique: [String] = []
        for text in list where !unique.contains(text) { unique.append(text) }
        unique.sort { $0.utf8.count < $1.utf8.count }
        var bytes: [UInt8] = []
        var texts: [(offset: Int, string: String)] = []
        let longest = unique.last?.utf8.count ?? 0
        var byLength = [Range<Int>](repeating: 0..<0, count: longest + 1)
        var k = 0
        for length in 0...longest {
            let start = k
            while k < unique.count, unique[k].utf8.count == length {
                texts.append((bytes.count, unique[k]))
                bytes += unique[k].utf8
                k += 1
            }
            byLength[length] = start..<k
        }
        self.bytes = bytes
        self.texts = texts
        self.byLength = byLength
    }

    /// The string of `bytes` (any bytes: invalid UTF-8 is repaired, as `String(decoding:as:)` does).
    func string(_ input: UnsafeBufferPointer<UInt8>) -> String {
        let n = input.count
        if n > 0, n < byLength.count, let base = input.baseAddress {
            let range = byLength[n]
            if !range.isEmpty {
                let found = bytes.withUnsafeBufferPointer { known -> Int? in
                    for k in range {
                        let p = known.baseAddress! + texts[k].offset
                        if p[0] == base[0], p[n - 1] == base[n - 1], memcmp(p, base, n) == 0 { return k }
                    }
                    return nil
                }
                if let found { return texts[found].string }
            }
        }
        return String(decoding: input, as: UTF8.self)
    }
}
