import SluiceCore
import Testing

/// The key a certificate fetch is charged to, from the peer address the server reports.
struct CertificateFetchClientTests {
    @Test(arguments: [
        ("203.0.113.7:51234", "203.0.113.7"),
        ("127.0.0.1:0", "127.0.0.1"),
        ("203.0.113.7", "203.0.113.7"),
        ("[2001:db8:0:1:aaaa:bbbb:cccc:dddd]:443", "2001:db8:0:1::/64"),
        ("[2001:db8::1]:443", "2001:db8:0:0::/64"),
        ("[2001:db8:0:1::]:443", "2001:db8:0:1::/64"),
        ("[::1]:8080", "0:0:0:0::/64"),
        ("[::ffff:198.51.100.9]:80", "198.51.100.9"),
        ("[fe80::1:2:3:4]:1", "fe80:0:0:0::/64"),
    ])
    func keysIPv4ByAddressAndIPv6ByItsSlash64(_ remote: String, _ key: String) {
        #expect(CertificateFetchClient(remoteAddress: remote)?.description == key)
    }

    /// Two hosts of one /64 are one client: an attacker holding a /64 gets one budget, not 2^64.
    @Test func addressesOfOneIPv6NetworkShareAKey() {
        let a = CertificateFetchClient(remoteAddress: "[2001:db8:5:6::1]:1")
        let b = CertificateFetchClient(remoteAddress: "[2001:db8:5:6:ffff:ffff:ffff:ffff]:2")
        let other = CertificateFetchClient(remoteAddress: "[2001:db8:5:7::1]:1")
        #expect(a != nil && a == b)
        #expect(a != other)
    }

    @Test(arguments: [
        "unknown", "", "256.1.1.1:80", "1.2.3:80", "1.2.3.4.5:80", "01234.1.1.1:1", "a.b.c.d:1", "[2001:db8::1::2]:1",
        "[12345::1]:1", "[1:2:3:4:5:6:7:8:9]:1", "[1:2:3:4:5:6:7]:1", "[fe80::1%eth0]:1", "[g::1]:1", "[::ffff:1.2.3.256]:1",
    ])
    func refusesWhatIsNoIPAddress(_ remote: String) {
        #expect(CertificateFetchClient(remoteAddress: remote) == nil)
    }
}
