import SluiceCore
// SluiceAWS: see README Architecture.
