/// A parsed SNS topic ARN: `arn:aws[-cn|-us-gov]:sns:REGION:ACCOUNT:NAME`.
public struct SNSTopicARN: Sendable, Equatable, CustomStringConvertible {
    public var partition: String
    public var region: String
    public var accountId: String
    public var name: String

    /// Parses strictly; nil for any other shape (other partitions, services, malformed parts).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "sns" else { return nil }
        let partition = parts[1], region = parts[3], account = parts[4], name = parts[5]
        guard AWSRegionName.isValid(region) else { return nil }
        switch partition {
        case "aws": guard !region.hasPrefix("cn-"), !region.hasPrefix("us-gov-") else { return nil }
        case "aws-cn": guard region.hasPrefix("cn-") else { return nil }
        case "aws-us-gov": guard region.hasPrefix("us-gov-") else { return nil }
        default: return nil
        }
        guard account.utf8.count == 12, account.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        // Topic names: 1-256 of [A-Za-z0-9_-], FIFO topics end in ".fifo".
        let base = name.hasSuffix(".fifo") ? String(name.dropLast(5)) : name
        guard (1...256).contains(base.utf8.count),
            base.utf8.allSatisfy({ SigV4Encoding.isUnreserved($0) && $0 != 0x2E && $0 != 0x7E })
        else { return nil }
        self.partition = partition
        self.region = region
        self.accountId = account
        self.name = name
    }

    /// `sns.<region>.amazonaws.com`, with `.cn` appended in the China partition.
    public var snsHost: String {
        "sns.\(region).amazonaws.com" + (partition == "aws-cn" ? ".cn" : "")
    }

    public var description: String { "arn:\(partition):sns:\(region):\(accountId):\(name)" }
}
