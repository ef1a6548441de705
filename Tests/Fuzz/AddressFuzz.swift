// libFuzzer entry for `address`: AddressNormalizer, EmailAddressValidator and Punycode; and the client
// addresses a proxy forwards (IPAddress, IPNetwork, ForwardedHeader, ForwardedClient), whose text the
// client writes.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
@testable import SluiceCore

/// Byte 0 picks the configuration flags (0x40: a forwarding header instead), the rest is the address; see
/// `checkAddress`, `checkPunycode`, `checkForwarded`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let flags = data[0]
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    if flags & 0x80 != 0 {
        checkPunycode(Array(bytes))
    } else if flags & 0x40 != 0 {
        checkForwarded(String(decoding: bytes, as: UTF8.self), header: flags & 1 != 0 ? .forwarded : .xForwardedFor)
    } else {
        checkAddress(String(decoding: bytes, as: UTF8.self), flags: flags)
    }
    return 0
}

/// Properties that must hold for every input, checked with `precondition` so a violation is a crash.
private func checkAddress(_ raw: String, flags: UInt8) {
    let normalizer = AddressNormalizer(
        configuration: AddressNormalizerConfiguration(caseInsensitiveLocalPart: flags & 1 != 0))
    if let first = normalizer.normalize(raw) {
        // The matching key is a fixed point: normalising it again must not change it.
        let again = normalizer.normalize(first.normalized)
        precondition(again?.normalized == first.normalized, "normalize is not idempotent")
    }
    let validator = EmailAddressValidator(
        configuration: EmailAddressValidatorConfiguration(
            allowDisplayName: flags & 2 != 0, allowUTF8LocalPart: flags & 4 != 0))
    if let sendable = try? validator.validate(raw) {
        // What the validator hands to SES must be short, free of line breaks and accepted again as is.
        precondition(sendable.utf8.count <= EmailAddressValidator.maxAddressLength, "validated address too long")
        precondition(!sendable.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }), "validated address has CR/LF")
        precondition((try? validator.validate(sendable)) == sendable, "validate is not idempotent")
        // Anything sendable must also have a matching key (bounces for it must be matchable).
        precondition(normalizer.normalize(sendable) != nil, "validated address does not normalise")
    }
}

/// Punycode decode must never trap, and decoded labels must re-encode to a decodable string.
private func checkPunycode(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let scalars = Punycode.decode(text[...].utf8) else { return }
    if let encoded = Punycode.encode(scalars) {
        precondition(Punycode.decode(encoded[...].utf8) == scalars, "Punycode round trip changed the label")
    }
}

/// A forwarding header's value (newlines split it into repeated headers): the walk reads at most its bound,
/// names the peer or an address, and every address text it accepts reads back as the same address.
private func checkForwarded(_ text: String, header: ForwardedHeader) {
    let values = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let hops = header.hops(in: values, limit: ForwardedClient.maxEntries)
    precondition(hops.count <= ForwardedClient.maxEntries, "read \(hops.count) hops")
    for hop in hops {
        if let address = IPAddress(hop) {
            precondition(IPAddress(address.description) == address, "\(hop) does not read back")
            precondition(IPAddress(peer: address.bracketed) == address, "\(hop) does not read back bracketed")
        }
        if let network = IPNetwork(String(hop)) {
            precondition(IPNetwork(network.description) == network, "network \(hop) does not read back")
        }
    }
    let peer = IPAddress("10.0.0.1")!
    let trusted = ["10.0.0.0/8", "2001:db8::/32"].compactMap(IPNetwork.init)
    let client = ForwardedClient.resolve(peer: peer, header: header, values: values, trusted: trusted)
    precondition(client == peer || hops.contains { IPAddress($0) == client || IPAddress(peer: String($0)) == client }, "client named by no hop")
    precondition(ForwardedClient.resolve(peer: IPAddress("198.51.100.1")!, header: header, values: values, trusted: trusted) == IPAddress("198.51.100.1")!, "untrusted peer replaced")
}
