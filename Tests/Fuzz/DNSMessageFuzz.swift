// libFuzzer entry for `dns-message` (pending until branch dns is merged): the DNS wire decoder with
// an encode round trip, and the SPF and DMARC record parsers on TXT text.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceDNS.
@testable import SluiceDNS

/// Byte 0 picks the mode: even = a DNS message (UDP payload), odd = one TXT record's text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let payload = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 1 {
        parseTXT(String(decoding: payload, as: UTF8.self))
        return 0
    }
    guard let message = try? DNSMessage(decoding: payload) else { return 0 }
    // A message we decoded and can encode again must decode to the same thing.
    if let wire = try? message.encode() {
        let again = try? DNSMessage(decoding: wire)
        precondition(again == message, "DNS encode/decode round trip changed the message")
    }
    for record in message.answers + message.authority + message.additional {
        if case .txt(let strings) = record.data {
            parseTXT(String(decoding: strings.joined(), as: UTF8.self))
        }
    }
    return 0
}

private func parseTXT(_ text: String) {
    if SPFRecord.isSPF(text) { _ = try? SPFRecord(parsing: text) }
    _ = try? SPFRecord(parsing: text)
    if DMARCRecord.isDMARC(text) { _ = DMARCRecord(parsing: text).isValid }
    _ = DMARCRecord(parsing: text)
}
