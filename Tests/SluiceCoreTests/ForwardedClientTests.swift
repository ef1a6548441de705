import SluiceCore
import Testing

/// The client behind trusted proxies: read from the right, trusted hops skipped, nothing left of the
/// first untrusted address believed.
struct ForwardedClientTests {
    static let proxies = ["10.0.0.0/8", "2001:db8:ff::/48"].compactMap(IPNetwork.init)
    static func resolve(peer: String, _ headers: [String], trusted: [IPNetwork] = proxies) -> String {
        ForwardedClient.resolve(peer: IPAddress(peer)!, values: headers, trusted: trusted).description
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

/// RFC 7239 `Forwarded`: the `for` parameter of each element, split from the right.
struct ForwardedHeaderTests {
    static func hops(_ values: [String], limit: Int = ForwardedClient.maxEntries) -> [String] {
        ForwardedHeader.forwarded.hops(in: values, limit: limit).map(String.init)
    }

    static func resolve(peer: String, _ values: [String]) -> String {
        ForwardedClient.resolve(peer: IPAddress(peer)!, header: .forwarded, values: values, trusted: ForwardedClientTests.proxies).description
    }

    @Test func theForParameterOfEachElementNearestFirst() {
        #expect(Self.hops(["for=192.0.2.60;proto=http;by=203.0.113.43"]) == ["192.0.2.60"])
        #expect(Self.hops(["for=192.0.2.43, for=198.51.100.17"]) == ["198.51.100.17", "192.0.2.43"])
        #expect(Self.hops(["for=192.0.2.43", "For=\"[2001:db8:cafe::17]:4711\""]) == ["[2001:db8:cafe::17]:4711", "192.0.2.43"])
        #expect(Self.hops(["proto=https; for=\"198.51.100.7:80\" ; host=example.com"]) == ["198.51.100.7:80"])
        #expect(Self.hops(["for=\"198.51.100.7\\:80\""]) == ["198.51.100.7:80"])  // a quoted-pair
    }

    /// A hop that names no address reads as empty, so the walk stops there.
    @Test func elementsWithoutAUsableForAreEmpty() {
        for element in [
            "proto=https", "for=unknown", "for=_hidden", "for=192.0.2.1;for=198.51.100.7", "for=192.0.2.1:80",
            "for=[2001:db8::1]", "for", "for=", "=192.0.2.1", "for=\"192.0.2.1", "for=\"192.0.2.1\"x", "f r=1",
        ] {
            let hops = Self.hops([element])
            #expect(hops.count == 1 && (hops[0].isEmpty || IPAddress(peer: hops[0]) == nil), "\(element): \(hops)")
        }
    }

    /// A comma inside a quoted string does not split, and an unbalanced quote the client wrote cannot swallow
    /// the element a proxy appended after it.
    @Test func quotesAreReadFromTheRight() {
        #expect(Self.hops(["for=\"a,b\";proto=https, for=198.51.100.7"]) == ["198.51.100.7", "a,b"])
        #expect(Self.hops(["for=\"6.6.6.6, for=198.51.100.7"]).first == "198.51.100.7")
        #expect(Self.resolve(peer: "10.0.0.5", ["for=\"6.6.6.6, for=198.51.100.7"]) == "198.51.100.7")
    }

    @Test func theClientIsTheFirstUntrustedHopFromTheRight() {
        #expect(Self.resolve(peer: "10.0.0.5", ["for=1.1.1.1, for=198.51.100.7, for=10.0.0.9;by=10.0.0.5"]) == "198.51.100.7")
        #expect(Self.resolve(peer: "10.0.0.5", ["for=\"[2001:db8:1::7]:443\""]) == "2001:db8:1:0:0:0:0:7")
        #expect(Self.resolve(peer: "10.0.0.5", ["for=198.51.100.7, for=unknown, for=10.0.0.6"]) == "10.0.0.6")
        #expect(Self.resolve(peer: "198.51.100.1", ["for=10.0.0.1"]) == "198.51.100.1")
    }

    @Test func atMostTheLimitIsRead() {
        let many = Array(repeating: "for=10.0.0.1", count: 50).joined(separator: ", ")
        #expect(Self.hops([many], limit: 32).count == 32)
        #expect(Self.resolve(peer: "10.0.0.5", ["for=198.51.100.7, " + many]) == "10.0.0.1")
    }

    /// `X-Forwarded-For` entries are split on every comma and trimmed; no quoting.
    @Test func xForwardedForHopsAreTrimmedEntries() {
        #expect(ForwardedHeader.xForwardedFor.hops(in: ["a, b", " c "], limit: 10).map(String.init) == ["c", "b", "a"])
        #expect(ForwardedHeader.xForwardedFor.hops(in: ["\"a,b\""], limit: 10).map(String.init) == ["b\"", "\"a"])
    }
}
