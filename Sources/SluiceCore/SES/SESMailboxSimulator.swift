/// Amazon SES's mailbox simulator (`success@`, `bounce@`, `complaint@`… `simulator.amazonses.com`): mail to it
/// counts neither towards the sending quota nor towards the account's bounce and complaint rates.
public enum SESMailboxSimulator {
    public static let domain = "simulator.amazonses.com"

    /// Whether `address` (normalised: lowercase domain) is a simulator mailbox.
    public static func isSimulator(_ address: String) -> Bool {
        guard let at = address.utf8.lastIndex(of: UInt8(ascii: "@")) else { return false }
        return address[address.index(after: at)...] == domain
    }
}
