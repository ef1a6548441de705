// libFuzzer entry for `ses-event`: SESEventParser.parse and MessageRequest.parse over arbitrary bytes,
// and JSONDocument's own consistency on the same bytes.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
@testable import SluiceCore

/// Feeds the bytes as an SES message and as a send body; thrown errors are expected, crashes are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let normalizer = AddressNormalizer()
    if let event = try? SESEventParser.parse(bytes, normalizer: normalizer) {
        // Touch the derived values so the optimiser cannot drop the work.
        _ = event.recipientEvents.count + event.invalidAddresses.count
    }
    if let request = try? MessageRequest.parse(bytes) { _ = request.to?.count }
    checkDocumentRoundTrips(bytes)
    return 0
}

/// An accepted text, written back out with every string re-escaped, must be accepted again and read the
/// same; a refused one must name an offset inside the input. (Until session 5 this compared JSONDocument
/// with the retired tree reader; Tests/Fixtures/json/strictness-outcomes.txt keeps that reader's verdicts.)
func checkDocumentRoundTrips(_ bytes: [UInt8]) {
    let document: JSONDocument
    do {
        document = try JSONDocument(bytes)
    } catch {
        precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset outside the input")
        return
    }
    var text: [UInt8] = []
    write(document, document.root, to: &text)
    guard let again = try? JSONDocument(text) else { preconditionFailure("JSONDocument refuses its own re-encoding") }
    var second: [UInt8] = []
    write(again, again.root, to: &second)
    precondition(second == text, "JSONDocument reads its re-encoding differently")
}

/// Compact JSON; strings decoded then escaped with `\u` for every non-ASCII scalar (so the escape and
/// surrogate paths are exercised on the way back in).
func write(_ d: JSONDocument, _ index: JSONDocument.Index, to out: inout [UInt8]) {
    switch d.kind(index) {
    case .null: out += Array("null".utf8)
    case .bool: out += Array((d.bool(index)! ? "true" : "false").utf8)
    case .number: out += Array(d.number(index)!.utf8)
    case .string: quote(d.string(index)!, to: &out)
    case .array:
        out.append(UInt8(ascii: "["))
        for (n, element) in d.elements(index).enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            write(d, element, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    case .object:
        out.append(UInt8(ascii: "{"))
        for (n, member) in d.members(index).enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            quote(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            write(d, member.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

func quote(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for unit in s.utf16 {
        if unit >= 0x20, unit < 0x80, unit != 0x22, unit != 0x5C {
            out.append(UInt8(unit))
        } else {
            let hex = Array("0123456789abcdef".utf8)
            out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), hex[Int(unit >> 12)], hex[Int(unit >> 8 & 15)], hex[Int(unit >> 4 & 15)], hex[Int(unit & 15)]]
        }
    }
    out.append(UInt8(ascii: "\""))
}
