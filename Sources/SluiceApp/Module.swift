import SluiceCore
// SluiceApp: see README Architecture.
