extension String {
    /// The words of the text joined by single spaces: runs of whitespace (Unicode's, newlines
    /// included) become one space, and none is left at either end. The same text as
    /// `split(whereSeparator: \.isWhitespace).joined(separator: " ")`, which it replaces on the
    /// hot paths (every page's text and every document's content hash): that splits by
    /// `Character`, looking up a Unicode property per character, and took 6% of the daemon's
    /// time end to end. This reads UTF-8 bytes and copies the words as they are.
    ///
    /// A character is whitespace when its first scalar is, so the two differ only where a
    /// grapheme cluster joins whitespace to something else: a combining mark after a space (the
    /// space and mark are one whitespace `Character`), or a prepended mark before one. Such text
    /// is collapsed by `Character`, as before.
    public func collapsingWhitespace() -> String {
        var text = self
        let fast: String? = text.withUTF8 { bytes in WhitespaceCollapse.collapse(bytes) }
        return fast ?? split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

enum WhitespaceCollapse {
    /// The collapsed text, or nil when a cluster joins whitespace to another scalar.
    static func collapse(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let count = bytes.count
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var index = 0
        var pendingSpace = false
        // The scalar before: whitespace that a mark would join (not a control), or a scalar
        // that joins the whitespace after it.
        var previousJoinableSpace = false
        var previousPrepends = false
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                let space = lead == 0x20 || (lead >= 0x09 && lead <= 0x0D)
                if space {
                    if previousPrepends { return nil }
                    pendingSpace = !out.isEmpty
                    previousJoinableSpace = lead == 0x20
                } else {
                    if pendingSpace {
                        out.append(0x20)
                        pendingSpace = false
                    }
                    out.append(lead)
                    previousJoinableSpace = false
                }
                previousPrepends = false
                index += 1
                continue
            }
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            guard index + length <= count else { return nil }
            var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            if isWhitespace(value) {
                if previousPrepends { return nil }
                pendingSpace = !out.isEmpty
                // U+0085, U+2028 and U+2029 are controls: nothing joins them.
                previousJoinableSpace = value != 0x85 && value != 0x2028 && value != 0x2029
                previousPrepends = false
            } else {
                if previousJoinableSpace && mayExtend(scalar) { return nil }
                if pendingSpace {
                    out.append(0x20)
                    pendingSpace = false
                }
                for offset in 0..<length { out.append(bytes[index + offset]) }
                previousJoinableSpace = false
                previousPrepends = mayPrepend(scalar)
            }
            index += length
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Unicode's White_Space property.
    static func isWhitespace(_ value: UInt32) -> Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// Whether a scalar may extend the cluster before it (Grapheme_Cluster_Break Extend, ZWJ or
    /// SpacingMark), conservatively: any mark, any Grapheme_Extend scalar, ZWJ and the emoji
    /// modifiers.
    static func mayExtend(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x300 { return false }
        if scalar.value == 0x200D || (0x1F3FB...0x1F3FF).contains(scalar.value) { return true }
        let properties = scalar.properties
        if properties.isGraphemeExtend { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// Whether a scalar may join the scalar after it (Grapheme_Cluster_Break Prepend),
    /// conservatively: every format character from U+0600 up, and the prepended letters.
    static func mayPrepend(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x600 { return false }
        switch value {
        case 0xD4E, 0x111C2, 0x111C3, 0x1193F, 0x11941, 0x11A3A, 0x11A84...0x11A89, 0x11D46, 0x11F02: return true
        default: return scalar.properties.generalCategory == .format
        }
    }
}
