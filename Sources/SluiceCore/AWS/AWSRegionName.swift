/// The shape of an AWS region name (`us-east-1`, `us-gov-west-1`, `ap-southeast-2`, `cn-north-1`):
/// lower-case words and a number, joined by hyphens. A region becomes part of host names
/// (`email.<region>.amazonaws.com`) and of the MAIL FROM MX, so anything else is refused before use.
public enum AWSRegionName {
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, text.utf8.count <= 32, let last = parts.last, !last.isEmpty,
            last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A } }
    }
}
