import SluiceCore
// SluiceStore: see README Architecture.
