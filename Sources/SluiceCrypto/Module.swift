import SluiceCore
// SluiceCrypto: see README Architecture.
