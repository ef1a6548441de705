import SluiceCore
import Testing

/// The client behind trusted proxies: read from the right, trusted hops skipped, nothing left of the
/// first untrusted address believed.
struct ForwardedClientTests {
    static let proxies = ["10.0.0.0/8", "2001:db8:ff::/48"].compactMap(IPNetwork.init)
    static func resolve(peer: String, _ headers: [String], trusted: [IPNetwork] = proxies) -> String {
        ForwardedClient.resolve(peer: IPAddress(peer)!, forwardedFor: headers, trusted: trusted).description
    }

    @Test func aTrustedPeerNamesTheClient() {
        #expect(Self.resolve(peer: "10.0.0.5", ["198.51.100.7"]) == "198.51.100.7")
        #expect(Self.resolve(peer: "10.0.0.5", [" 198.51.100.7 ,\t10.0.0.9"]) == "198.51.100.7")
        #expect(Self.resolve(peer: "2001:db8:ff::1", ["2001:db8:1::7"]) == "2001:db8:1:0:0:0:0:7")
        #expect(Self.resolve(peer: "10.0.0.5", ["[2001:db8:1::7]:4433"]) == "2001:db8:1:0:0:0:0:7")
        #expect(Self.resolve(peer: "10.0.0.5", ["198.51.100.7:5000"]) == "198.51.100.7")
    }

    /// What the client wrote itself (left of the first untrusted hop) is never believed.
    @Test func spoofedEntriesLeftOfTheClientAreIgnored() {
        #expect(Self.resolve(peer: "10.0.0.5", ["1.1.1.1, 198.51.100.7"]) == "198.51.100.7")
        #expect(Self.resolve(peer: "10.0.0.5", ["1.1.1.1", "198.51.100.7, 10.0.0.6"]) == "198.51.100.7")
    }

    @Test func anUntrustedPeerIsTheClientWhateverItsHeadersSay() {
        #expect(Self.resolve(peer: "198.51.100.7", ["10.0.0.1"]) == "198.51.100.7")
        #expect(Self.resolve(peer: "10.0.0.5", ["198.51.100.7"], trusted: []) == "10.0.0.5")
    }

    @Test func withoutAUsableEntryTheLastTrustedHopIsTheClient() {
        #expect(Self.resolve(peer: "10.0.0.5", []) == "10.0.0.5")
        #expect(Self.resolve(peer: "10.0.0.5", ["unknown"]) == "10.0.0.5")
        #expect(Self.resolve(peer: "10.0.0.5", ["198.51.100.7, garbage, 10.0.0.6"]) == "10.0.0.6")
        #expect(Self.resolve(peer: "10.0.0.5", [""]) == "10.0.0.5")
        // Only trusted hops: the leftmost is as far as anyone can tell.
        #expect(Self.resolve(peer: "10.0.0.5", ["10.0.0.7, 10.0.0.6"]) == "10.0.0.7")
    }

    @Test func aLongChainIsReadOnlyAsFarAsTheBound() {
        let hops = Array(repeating: "10.0.0.1", count: ForwardedClient.maxEntries + 5).joined(separator: ",")
        #expect(Self.resolve(peer: "10.0.0.5", ["198.51.100.7," + hops]) == "10.0.0.1")
    }
}
