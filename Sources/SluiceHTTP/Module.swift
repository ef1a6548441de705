import SluiceCore
// SluiceHTTP: see README Architecture.
