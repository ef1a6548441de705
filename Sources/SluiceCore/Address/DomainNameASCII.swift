/// The public face of the address code's IDNA conversion, for domains given on their own (DNS checks).
public enum DomainNameASCII {
    /// The lower-case A-label form of `domain` ("bücher.example" → "xn--bcher-kva.example"); ASCII names
    /// are lower-cased, one trailing dot is dropped, underscores are kept. Nil when it cannot be converted.
    public static func convert(_ domain: String) -> String? {
        guard case .success(let ascii) = DomainName.toASCII(ArraySlice(domain.utf8), strict: false) else { return nil }
        return ascii
    }
}
