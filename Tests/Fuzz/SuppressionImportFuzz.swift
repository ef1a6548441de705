// libFuzzer entry for `suppression-import` (pending: no branch has the importer yet). Written
// against the most likely API; adjust the parser calls below to the real row parser when it lands.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
@testable import SluiceCore

/// Byte 0 picks the format (even = CSV, odd = JSON lines); the rest is the uploaded file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let format: SuppressionImportFormat = data[0] & 1 == 0 ? .csv : .jsonLines
    var parser = SuppressionImportParser(format: format, normalizer: AddressNormalizer())
    // Feed in two pieces so the row reassembly across reads is exercised too.
    let cut = body.isEmpty ? 0 : Int(data[0] >> 1) % (body.count + 1)
    for row in parser.feed(body[..<cut]) { _ = row }
    for row in parser.feed(body[cut...]) { _ = row }
    for row in parser.finish() { _ = row }
    return 0
}
