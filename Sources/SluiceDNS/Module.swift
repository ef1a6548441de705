import SluiceCore
// SluiceDNS: see README Architecture.
