import Foundation

/// Whether this machine is an EC2 instance, from what the kernel exposes (no network call): Nitro instances
/// name `Amazon EC2` as their DMI system or board vendor; Xen ones have a hypervisor UUID starting `ec2`.
public enum EC2Host {
    public static func detect(readFile: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }) -> Bool {
        for path in ["/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/board_vendor"] {
            if readFile(path)?.trimmingCharacters(in: .whitespacesAndNewlines) == "Amazon EC2" { return true }
        }
        return readFile("/sys/hypervisor/uuid")?.lowercased().hasPrefix("ec2") == true
    }
}
