import SluiceCore
import Testing

/// Addresses and blocks as operators write them in `http.trusted_proxies`, and as peers are reported.
struct IPNetworkTests {
    @Test(arguments: [
        ("203.0.113.7", "203.0.113.7"), ("0.0.0.0", "0.0.0.0"), ("::1", "0:0:0:0:0:0:0:1"),
        ("2001:DB8::a", "2001:db8:0:0:0:0:0:a"), ("::ffff:198.51.100.9", "198.51.100.9"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("::", "0:0:0:0:0:0:0:0"), ("64:ff9b::192.0.2.33", "64:ff9b:0:0:0:0:c000:221"),
    ])
    func parsesAddresses(_ text: String, _ shown: String) {
        #expect(IPAddress(text)?.description == shown)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "12345::", "fe80::1%eth0", "g::", ":1", "1:", "::1.2.3", "localhost",
    ])
    func refusesWhatIsNoAddress(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("203.0.113.7:51234", "203.0.113.7"), ("[2001:db8::1]:443", "2001:db8:0:0:0:0:0:1"), ("[::ffff:10.0.0.1]:80", "10.0.0.1"),
        ("10.1.2.3", "10.1.2.3"), ("[2001:db8::1]", "2001:db8:0:0:0:0:0:1"),
    ])
    func parsesPeers(_ text: String, _ shown: String) {
        #expect(IPAddress(peer: text)?.description == shown)
    }

    @Test(arguments: ["[2001:db8::1", "[2001:db8::1]x", "[2001:db8::1]:", "[2001:db8::1]:8a", "unknown", "10.1.2.3x:80", "10.1.2.3:", "10.1.2.3:123456", "10.1.2.3:80:80"])
    func refusesMalformedPeers(_ text: String) {
        #expect(IPAddress(peer: text) == nil)
    }

    @Test func blocksContainTheirAddressesOnly() throws {
        let ten = try #require(IPNetwork("10.0.0.0/8"))
        #expect(ten.contains(IPAddress("10.255.1.2")!))
        #expect(!ten.contains(IPAddress("11.0.0.1")!))
        // An IPv4 block holds the IPv4-mapped form of its addresses, and no other IPv6 address.
        #expect(ten.contains(IPAddress("::ffff:10.9.9.9")!))
        #expect(!ten.contains(IPAddress("::a09:909")!))
        let v6 = try #require(IPNetwork("2001:db8:1::/48"))
        #expect(v6.contains(IPAddress("2001:db8:1:ffff::5")!))
        #expect(!v6.contains(IPAddress("2001:db8:2::5")!))
        let one = try #require(IPNetwork("192.0.2.10"))
        #expect(one.contains(IPAddress("192.0.2.10")!) && !one.contains(IPAddress("192.0.2.11")!))
        let all = try #require(IPNetwork("0.0.0.0/0"))
        #expect(all.contains(IPAddress("198.51.100.1")!) && !all.contains(IPAddress("::1")!))
        #expect(IPNetwork("::/0")?.contains(IPAddress("2001:db8::1")!) == true)
        #expect(IPNetwork("172.16.0.0/12")?.description == "172.16.0.0/12")
        #expect(IPNetwork("2001:db8::/32")?.description == "2001:db8:0:0:0:0:0:0/32")
        #expect(IPNetwork("10.1.2.3")?.description == "10.1.2.3/32")
    }

    @Test(arguments: ["10.0.0.1/8", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "/8", "10.0.0.0/ 8", "2001:db8::1/64"])
    func refusesMalformedBlocks(_ text: String) {
        #expect(IPNetwork(text) == nil)
    }
}
