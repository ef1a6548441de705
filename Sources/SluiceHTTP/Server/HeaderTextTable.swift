import Glibc

/// Strings for header names and values that arrive again and again, returned for an exact byte match.
///
/// Every request otherwise builds a new `String` per name and value (validating the UTF-8, and
/// allocating for anything over 15 bytes: `x-amz-sns-message-type`, `text/plain; charset=UTF-8`).
/// A match is byte-for-byte, case included, so the result is exactly the string that decoding the
/// bytes would give; anything else is decoded as before.
struct HeaderTextTable: Sendable {
    /// Known texts by byte length (index = length); a few per length at most.
    private let byLength: [[String]]

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

    init(_ texts: [String]) {
        let longest = texts.map(\.utf8.count).max() ?? 0
        var byLength = [[String]](repeating: [], count: longest + 1)
        for text in texts where !byLength[text.utf8.count].contains(text) {
            // Native, contiguous copies: `withUTF8` on them never copies again.
            var copy = text
            copy.makeContiguousUTF8()
            byLength[text.utf8.count].append(copy)
        }
        self.byLength = byLength
    }

    /// The string of `bytes` (any bytes: invalid UTF-8 is repaired, as `String(decoding:as:)` does).
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let n = bytes.count
        if n > 0, n < byLength.count, let base = bytes.baseAddress {
            for candidate in byLength[n] {
                var candidate = candidate
                let same = candidate.withUTF8 { memcmp($0.baseAddress!, base, n) == 0 }
                if same { return candidate }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
