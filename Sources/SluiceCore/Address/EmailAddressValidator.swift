/// RFC 5321/5322 syntax checks for addresses handed to the send API.
public struct EmailAddressValidator: Sendable {
    /// RFC 5321 §4.5.3.1.3: a 256-octet path minus the angle brackets.
    public static let maxAddressLength = 254

    public let configuration: EmailAddressValidatorConfiguration

    public init(configuration: EmailAddressValidatorConfiguration = EmailAddressValidatorConfiguration()) {
        self.configuration = configuration
    }

    /// The address in sendable form (IDNA domain, case kept in the local part), or why not.
    public func validate(_ address: String) throws(AddressValidationError) -> String {
        // Checked before trimming: a CR/LF anywhere is an injection attempt, not whitespace.
        if address.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            throw AddressValidationError(.lineBreak, "the address contains CR or LF")
        }
        let parts: AddressParts
        switch AddressParts.split(address) {
        case .success(let value): parts = value
        case .failure(let failure): throw Self.error(for: failure)
        }
        if parts.hadAngleBrackets && !configuration.allowDisplayName {
            throw AddressValidationError(.displayName, "give a bare address without display name or angle brackets")
        }
        let local = try checkedLocalPart(parts.local)
        let domain: String
        switch DomainName.toASCII(parts.domain, strict: true) {
        case .success(let value): domain = value
        case .failure(let failure): throw Self.error(for: failure)
        }
        let total = local.count + 1 + domain.utf8.count
        guard total <= Self.maxAddressLength else {
            throw AddressValidationError(.tooLong, "the address is \(total) octets, the limit is \(Self.maxAddressLength)")
        }
        return String(decoding: local, as: UTF8.self) + "@" + domain
    }

    /// Whether `address` passes `validate`.
    public func isValid(_ address: String) -> Bool {
        (try? validate(address)) != nil
    }

    private func checkedLocalPart(_ bytes: ArraySlice<UInt8>) throws(AddressValidationError) -> ArraySlice<UInt8> {
        guard bytes.count <= LocalPart.maxLength else {
            throw AddressValidationError(.localPartTooLong, "the local part is \(bytes.count) octets, the limit is 64")
        }
        let allowUTF8 = configuration.allowUTF8LocalPart
        let failure: LocalPart.Failure?
        if bytes.first == UInt8(ascii: "\"") {
            switch LocalPart.unquote(bytes, allowUTF8: allowUTF8) {
            case .success: failure = nil
            case .failure(let value): failure = value
            }
        } else {
            failure = LocalPart.checkDotAtom(bytes, allowUTF8: allowUTF8)
        }
        switch failure {
        case nil:
            // The normaliser refuses these (they would make keys that never match), so a sendable address must too.
            if bytes.contains(where: { $0 >= 0x80 }), AddressNormalizer.invisibleScalar(in: String(decoding: bytes, as: UTF8.self)) != nil {
                throw AddressValidationError(.localPartInvalid, "the local part contains an invisible control, format or space character")
            }
            return bytes
        case .tooLong: throw AddressValidationError(.localPartTooLong, "the local part is too long")
        case .dotPlacement:
            throw AddressValidationError(.localPartDots, "the local part has a leading, trailing or double dot")
        case .nonASCII:
            throw AddressValidationError(.localPartNonASCII, "the local part is not ASCII (SES does not support SMTPUTF8)")
        case .invalidCharacter, .unterminatedQuote:
            throw AddressValidationError(.localPartInvalid, "the local part is neither a dot-atom nor a quoted string")
        }
    }

    private static func error(for failure: AddressParts.Failure) -> AddressValidationError {
        switch failure {
        case .empty: AddressValidationError(.empty, "the address is empty or too long to parse")
        case .lineBreak: AddressValidationError(.lineBreak, "the address contains CR or LF")
        case .controlCharacter: AddressValidationError(.controlCharacter, "the address contains a control character")
        case .unbalancedAngleBrackets: AddressValidationError(.angleBrackets, "unbalanced or misplaced angle brackets")
        case .missingAt: AddressValidationError(.missingAt, "the address has no @")
        case .emptyLocalPart: AddressValidationError(.localPartEmpty, "the local part is empty")
        case .emptyDomain: AddressValidationError(.domainEmpty, "the domain is empty")
        case .unterminatedQuote: AddressValidationError(.localPartInvalid, "the quoted local part is not terminated")
        }
    }

    private static func error(for failure: DomainName.Failure) -> AddressValidationError {
        switch failure {
        case .empty: AddressValidationError(.domainEmpty, "the domain is empty")
        case .tooLong: AddressValidationError(.domainTooLong, "the domain is over 253 octets after IDNA")
        case .emptyLabel: AddressValidationError(.labelEmpty, "the domain has an empty label")
        case .labelTooLong: AddressValidationError(.labelTooLong, "a domain label is over 63 octets after IDNA")
        case .invalidCharacter: AddressValidationError(.labelInvalid, "a domain label has a character other than letter, digit or hyphen")
        case .hyphenPosition: AddressValidationError(.labelHyphen, "a domain label starts or ends with a hyphen")
        case .invalidIDNA: AddressValidationError(.idnaInvalid, "a domain label is not valid IDNA")
        case .literal: AddressValidationError(.domainLiteral, "address literals are not accepted")
        case .notQualified: AddressValidationError(.domainNotQualified, "the domain needs at least two labels")
        case .numericTopLevel: AddressValidationError(.numericTopLevel, "the top-level domain is all digits")
        case .trailingDot: AddressValidationError(.trailingDot, "the domain ends with a dot")
        }
    }
}
