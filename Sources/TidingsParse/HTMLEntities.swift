import CTidingsSys
import Glibc
/// The HTML 4 named character references (the W3C list, minus XML's own five). Feeds use
/// them without declaring them; XML parsers drop undeclared entities, so they are turned into
/// numeric references before parsing.
enum HTMLEntities {
    static let codepoints: [String: UInt32] = [
        "AElig": 198, "Aacute": 193, "Acirc": 194, "Agrave": 192, "Alpha": 913, "Aring": 197,
        "Atilde": 195, "Auml": 196, "Beta": 914, "Ccedil": 199, "Chi": 935, "Dagger": 8225,
        "Delta": 916, "ETH": 208, "Eacute": 201, "Ecirc": 202, "Egrave": 200, "Epsilon": 917,
        "Eta": 919, "Euml": 203, "Gamma": 915, "Iacute": 205, "Icirc": 206, "Igrave": 204,
        "Iota": 921, "Iuml": 207, "Kappa": 922, "Lambda": 923, "Mu": 924, "Ntilde": 209,
        "Nu": 925, "OElig": 338, "Oacute": 211, "Ocirc": 212, "Ograve": 210, "Omega": 937,
        "Omicron": 927, "Oslash": 216, "Otilde": 213, "Ouml": 214, "Phi": 934, "Pi": 928,
        "Prime": 8243, "Psi": 936, "Rho": 929, "Scaron": 352, "Sigma": 931, "THORN": 222,
        "Tau": 932, "Theta": 920, "Uacute": 218, "Ucirc": 219, "Ugrave": 217, "Upsilon": 933,
        "Uuml": 220, "Xi": 926, "Yacute": 221, "Yuml": 376, "Zeta": 918, "aacute": 225,
        "acirc": 226, "acute": 180, "aelig": 230, "agrave": 224, "alefsym": 8501, "alpha": 945,
        "and": 8743, "ang": 8736, "aring": 229, "asymp": 8776, "atilde": 227, "auml": 228,
        "bdquo": 8222, "beta": 946, "brvbar": 166, "bull": 8226, "cap": 8745, "ccedil": 231,
        "cedil": 184, "cent": 162, "chi": 967, "circ": 710, "clubs": 9827, "cong": 8773,
        "copy": 169, "crarr": 8629, "cup": 8746, "curren": 164, "dArr": 8659, "dagger": 8224,
        "darr": 8595, "deg": 176, "delta": 948, "diams": 9830, "divide": 247, "eacute": 233,
        "ecirc": 234, "egrave": 232, "empty": 8709, "emsp": 8195, "ensp": 8194, "epsilon": 949,
        "equiv": 8801, "eta": 951, "eth": 240, "euml": 235, "euro": 8364, "exist": 8707,
        "fnof": 402, "forall": 8704, "frac12": 189, "frac14": 188, "frac34": 190, "frasl": 8260,
        "gamma": 947, "ge": 8805, "hArr": 8660, "harr": 8596, "hearts": 9829, "hellip": 8230,
        "iacute": 237, "icirc": 238, "iexcl": 161, "igrave": 236, "image": 8465, "infin": 8734,
        "int": 8747, "iota": 953, "iquest": 191, "isin": 8712, "iuml": 239, "kappa": 954,
        "lArr": 8656, "lambda": 955, "lang": 9001, "laquo": 171, "larr": 8592, "lceil": 8968,
        "ldquo": 8220, "le": 8804, "lfloor": 8970, "lowast": 8727, "loz": 9674, "lrm": 8206,
        "lsaquo": 8249, "lsquo": 8216, "macr": 175, "mdash": 8212, "micro": 181, "middot": 183,
        "minus": 8722, "mu": 956, "nabla": 8711, "nbsp": 160, "ndash": 8211, "ne": 8800,
        "ni": 8715, "not": 172, "notin": 8713, "nsub": 8836, "ntilde": 241, "nu": 957,
        "oacute": 243, "ocirc": 244, "oelig": 339, "ograve": 242, "oline": 8254, "omega": 969,
        "omicron": 959, "oplus": 8853, "or": 8744, "ordf": 170, "ordm": 186, "oslash": 248,
        "otilde": 245, "otimes": 8855, "ouml": 246, "para": 182, "part": 8706, "permil": 8240,
        "perp": 8869, "phi": 966, "pi": 960, "piv": 982, "plusmn": 177, "pound": 163,
        "prime": 8242, "prod": 8719, "prop": 8733, "psi": 968, "rArr": 8658, "radic": 8730,
        "rang": 9002, "raquo": 187, "rarr": 8594, "rceil": 8969, "rdquo": 8221, "real": 8476,
        "reg": 174, "rfloor": 8971, "rho": 961, "rlm": 8207, "rsaquo": 8250, "rsquo": 8217,
        "sbquo": 8218, "scaron": 353, "sdot": 8901, "sect": 167, "shy": 173, "sigma": 963,
        "sigmaf": 962, "sim": 8764, "spades": 9824, "sub": 8834, "sube": 8838, "sum": 8721,
        "sup": 8835, "sup1": 185, "sup2": 178, "sup3": 179, "supe": 8839, "szlig": 223,
        "tau": 964, "there4": 8756, "theta": 952, "thetasym": 977, "thinsp": 8201, "thorn": 254,
        "tilde": 732, "times": 215, "trade": 8482, "uArr": 8657, "uacute": 250, "uarr": 8593,
        "ucirc": 251, "ugrave": 249, "uml": 168, "upsih": 978, "upsilon": 965, "uuml": 252,
        "weierp": 8472, "xi": 958, "yacute": 253, "yen": 165, "yuml": 255, "zeta": 950,
        "zwj": 8205, "zwnj": 8204,
    ]

    /// Prepares feed text for a strict XML parser the way lenient feed readers behave:
    /// `&name;` for HTML names becomes `&#N;`, `&#X41;` becomes `&#x41;`, and an `&` that starts
    /// no reference becomes `&amp;` (a bare `&` in a URL query is common). CDATA sections,
    /// comments and documents that declare their own entities are left alone. Works on UTF-8
    /// bytes (every byte it looks at is ASCII), in one pass.
    static func numericReferences(in input: [UInt8]) -> [UInt8] {
        guard input.contains(UInt8(ascii: "&")) else { return input }
        let declaresEntities = contains(input, Array("<!ENTITY".utf8), from: 0) != nil
        return input.withUnsafeBufferPointer { bytes in
            // The output is only built once something changes; most feeds need no change.
            var out: [UInt8] = []
            var changed = false
            var copied = 0  // bytes[..<copied] is in `out` already
            func replace(_ range: Range<Int>, with replacement: [UInt8]) {
                if !changed {
                    out.reserveCapacity(bytes.count + 64)
                    changed = true
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<range.lowerBound]))
                out.append(contentsOf: replacement)
                copied = range.upperBound
            }
            let n = bytes.count
            let amp = UInt8(ascii: "&"), lt = UInt8(ascii: "<"), semicolon = UInt8(ascii: ";"), hash = UInt8(ascii: "#")
            var i = 0
            while i < n {
                let byte = bytes[i]
                if byte == lt {
                    // CDATA sections and comments go through untouched.
                    if i + 1 < n && bytes[i + 1] == UInt8(ascii: "!") {
                        if let close = startsWith(bytes, cdataOpen, at: i) ? cdataClose : startsWith(bytes, commentOpen, at: i) ? commentClose : nil {
                            i = contains(input, close, from: i + 4).map { $0 + close.count } ?? n
                            continue
                        }
                    }
                    i += 1
                    continue
                }
                guard byte == amp else {
                    i += 1
                    continue
                }
                var j = i + 1
                if j < n && bytes[j] == hash {
                    j += 1
                    let upperHex = j < n && bytes[j] == UInt8(ascii: "X")
                    let hex = upperHex || (j < n && bytes[j] == UInt8(ascii: "x"))
                    if hex { j += 1 }
                    let digitsStart = j
                    while j < n && (hex ? isHex(bytes[j]) : isDigit(bytes[j])) { j += 1 }
                    if j > digitsStart && j < n && bytes[j] == semicolon {
                        // Valid as it is, but for `&#X…;`, which XML spells `&#x…;`.
                        if upperHex { replace(i..<digitsStart, with: Array("&#x".utf8)) }
                        i = j + 1
                    } else {
                        replace(i..<(i + 1), with: ampersand)
                        i += 1
                    }
                    continue
                }
                while j < n && j - i <= 32 && isAlphanumeric(bytes[j]) { j += 1 }
                if j > i + 1 && j < n && bytes[j] == semicolon {
                    let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j]), as: UTF8.self)
                    if let code = codepoints[name] {
                        replace(i..<(j + 1), with: Array("&#\(code);".utf8))
                    } else if !(xmlNames.contains(name) || declaresEntities) {
                        replace(i..<(i + 1), with: ampersand)  // unknown: kept as written, as feedparser does
                    }
                    i = j + 1
                    continue
                }
                replace(i..<(i + 1), with: ampersand)
                i += 1
            }
            guard changed else { return input }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
            return out
        }
    }

    private static func startsWith(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: [UInt8], at index: Int) -> Bool {
        guard index + prefix.count <= bytes.count else { return false }
        for k in 0..<prefix.count where bytes[index + k] != prefix[k] { return false }
        return true
    }

    /// Drops a DOCTYPE's internal subset (`<!DOCTYPE rss [ <!ENTITY …> ]>` → `<!DOCTYPE rss>`):
    /// feeds have no use for entity declarations, and they are how entity bombs and external
    /// entities get in (also through attribute values, which libxml2 expands).
    static func withoutInternalSubset(_ input: [UInt8]) -> [UInt8] {
        guard let doctype = contains(input, Array("<!DOCTYPE".utf8), from: 0) else { return input }
        var index = doctype + 9
        while index < input.count && input[index] != UInt8(ascii: "[") && input[index] != UInt8(ascii: ">") { index += 1 }
        guard index < input.count, input[index] == UInt8(ascii: "[") else { return input }
        let open = index
        var quote: UInt8 = 0
        index += 1
        while index < input.count {
            let byte = input[index]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == 0x22 || byte == 0x27 {
                quote = byte
            } else if byte == UInt8(ascii: "]") {
                break
            }
            index += 1
        }
        guard index < input.count else { return Array(input[..<open]) + Array(">".utf8) }
        return Array(input[..<open]) + Array(input[(index + 1)...])
    }

    static let xmlNames: Set<String> = ["amp", "lt", "gt", "quot", "apos"]
    static let ampersand = Array("&amp;".utf8)
    static let cdataOpen = Array("<![CDATA[".utf8), cdataClose = Array("]]>".utf8)
    static let commentOpen = Array("<!--".utf8), commentClose = Array("-->".utf8)

    static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102) }
    static func isAlphanumeric(_ b: UInt8) -> Bool { isDigit(b) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }

    static func starts(_ input: [UInt8], _ prefix: [UInt8], at index: Int) -> Bool {
        guard index + prefix.count <= input.count else { return false }
        for k in 0..<prefix.count where input[index + k] != prefix[k] { return false }
        return true
    }

    /// The index of the first `byte` in `input` at or after `start` (glibc's memchr).
    static func firstIndex(of byte: UInt8, in input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start >= 0, start < input.count, let base = input.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), input.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    /// The index of the first `needle` in `input` at or after `start` (glibc's memmem).
    static func contains(_ input: [UInt8], _ needle: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, start + needle.count <= input.count else { return nil }
        return input.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { pattern in
                guard let found = tidings_memmem(haystack.baseAddress! + start, haystack.count - start, pattern.baseAddress!, pattern.count) else {
                    return nil
                }
                return found - UnsafeRawPointer(haystack.baseAddress!)
            }
        }
    }
}
