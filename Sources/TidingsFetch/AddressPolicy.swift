import Glibc

/// Decides which peer addresses a fetch may connect to. With `allowPrivateNetworks` off,
/// loopback, private, link-local, CGNAT, multicast and other non-public ranges are refused,
/// so a feed cannot point the daemon at the machine's own services.
public enum AddressPolicy {
    /// True when an IPv4 address (4 bytes, network order) is publicly routable.
    public static func isPublic(ipv4 b: [UInt8]) -> Bool {
        guard b.count == 4 else { return false }
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return false
        case (100, 64...127): return false  // CGNAT
        case (169, 254): return false  // link-local
        case (172, 16...31): return false
        case (192, 168): return false
        case (192, 0) where b[2] == 0 || b[2] == 2: return false  // IETF, TEST-NET-1
        case (198, 18...19): return false  // benchmarking
        case (198, 51) where b[2] == 100: return false
        case (203, 0) where b[2] == 113: return false
        default: return b[0] < 224  // multicast, reserved, broadcast
        }
    }

    /// True when an IPv6 address (16 bytes) is publicly routable. IPv4-mapped and NAT64
    /// addresses are judged by their IPv4 part.
    public static func isPublic(ipv6 b: [UInt8]) -> Bool {
        guard b.count == 16 else { return false }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return isPublic(ipv4: Array(b[12..<16])) }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) {
            return isPublic(ipv4: Array(b[12..<16]))  // well-known NAT64 64:ff9b::/96
        }
        if b[0..<12].allSatisfy({ $0 == 0 }) { return b[12..<15].allSatisfy({ $0 == 0 }) ? false : isPublic(ipv4: Array(b[12..<16])) }  // ::, ::1, ::a.b.c.d
        if b[0] == 0x20 && b[1] == 0x02 { return isPublic(ipv4: Array(b[2..<6])) }  // 6to4 2002::/16
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1 { return false }  // local NAT64 64:ff9b:1::/48
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return false }  // site-local fec0::/10
        if b[0] & 0xfe == 0xfc { return false }  // unique local fc00::/7
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return false }  // link-local fe80::/10
        if b[0] == 0xff { return false }  // multicast
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return false }  // documentation
        return true
    }

    /// True when `host` is an address literal outside the public ranges, or a name that is
    /// always local (`localhost`): refused before any request is even queued. Other names are
    /// judged when they resolve.
    public static func isNonPublicLiteral(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, name, &v4) == 1 { return !isPublic(ipv4: v4) }
        var v6 = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET6, name, &v6) == 1 { return !isPublic(ipv6: v6) }
        return false
    }
}
