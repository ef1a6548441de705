// libFuzzer entry for `ses-event`: SESEventParser.parse over arbitrary bytes, and JSONDocument checked
// against JSONReader on the same bytes.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
@testable import SluiceCore

/// Feeds the bytes as an SES message; thrown errors are expected, crashes are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let normalizer = AddressNormalizer()
    if let event = try? SESEventParser.parse(bytes, normalizer: normalizer) {
        // Touch the derived values so the optimiser cannot drop the work.
        _ = event.recipientEvents.count + event.invalidAddresses.count
    }
    checkReadersAgree(bytes)
    return 0
}

/// `JSONDocument` (the SNS/SES hot path) must accept and refuse exactly what `JSONReader` does, with the
/// same error code and offset, and read the same values.
func checkReadersAgree(_ bytes: [UInt8]) {
    var old: JSONValue?
    var oldError: JSONReaderError?
    do { old = try JSONReader().parse(bytes) } catch { oldError = error }
    do {
        let document = try JSONDocument(bytes)
        precondition(old == document.value(document.root), "JSONDocument and JSONReader read different values")
    } catch {
        precondition(error.code == oldError?.code && error.offset == oldError?.offset, "JSONDocument and JSONReader disagree on an error")
    }
}
