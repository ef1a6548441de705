/// Why an address failed send-side syntax checks. Compare on `code` only; messages carry no address.
public struct AddressValidationError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case empty, lineBreak, controlCharacter, displayName, angleBrackets, missingAt
            case localPartEmpty, localPartTooLong, localPartInvalid, localPartDots, localPartNonASCII
            case domainEmpty, domainTooLong, domainLiteral, domainNotQualified, labelEmpty, labelTooLong
            case labelInvalid, labelHyphen, idnaInvalid, numericTopLevel, trailingDot, tooLong
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }
        public static let empty = Code(.empty)
        /// CR or LF anywhere: header injection.
        public static let lineBreak = Code(.lineBreak)
        public static let controlCharacter = Code(.controlCharacter)
        /// A display name was given where only an addr-spec is allowed.
        public static let displayName = Code(.displayName)
        public static let angleBrackets = Code(.angleBrackets)
        public static let missingAt = Code(.missingAt)
        public static let localPartEmpty = Code(.localPartEmpty)
        /// Local part over 64 octets (RFC 5321 §4.5.3.1.1).
        public static let localPartTooLong = Code(.localPartTooLong)
        /// Not a dot-atom or a valid quoted string.
        public static let localPartInvalid = Code(.localPartInvalid)
        /// Leading, trailing or consecutive dots in an unquoted local part.
        public static let localPartDots = Code(.localPartDots)
        /// Non-ASCII local part (SMTPUTF8), which SES does not send.
        public static let localPartNonASCII = Code(.localPartNonASCII)
        public static let domainEmpty = Code(.domainEmpty)
        /// Domain over 253 octets after IDNA.
        public static let domainTooLong = Code(.domainTooLong)
        /// `[192.0.2.1]`-style domain literal.
        public static let domainLiteral = Code(.domainLiteral)
        /// A single-label domain such as `localhost`.
        public static let domainNotQualified = Code(.domainNotQualified)
        public static let labelEmpty = Code(.labelEmpty)
        /// A label over 63 octets after IDNA.
        public static let labelTooLong = Code(.labelTooLong)
        /// A character outside letters, digits and hyphen.
        public static let labelInvalid = Code(.labelInvalid)
        /// A label starting or ending with a hyphen.
        public static let labelHyphen = Code(.labelHyphen)
        /// A Unicode label that cannot be IDNA-encoded, or an `xn--` label that does not decode.
        public static let idnaInvalid = Code(.idnaInvalid)
        public static let numericTopLevel = Code(.numericTopLevel)
        public static let trailingDot = Code(.trailingDot)
        /// Whole address over 254 octets (RFC 5321 path limit minus the brackets).
        public static let tooLong = Code(.tooLong)
        public var description: String { "\(value)" }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "invalid address (\(code)): \(message)" }
}
