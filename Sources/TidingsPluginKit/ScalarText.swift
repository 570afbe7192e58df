extension String {
    /// The text of a run of code points, encoded straight into the string's UTF-8 storage.
    /// (`String(String.UnicodeScalarView(slice))` appends one scalar at a time and was a
    /// tenth of the entity plugin's time, spent making token texts.)
    public init(scalars: ArraySlice<Unicode.Scalar>) {
        var length = 0
        for scalar in scalars {
            let value = scalar.value
            length += value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x1_0000 ? 3 : 4
        }
        guard length > 0 else {
            self = ""
            return
        }
        self.init(unsafeUninitializedCapacity: length) { buffer in
            var at = 0
            for scalar in scalars {
                let value = scalar.value
                if value < 0x80 {
                    buffer[at] = UInt8(value)
                    at += 1
                } else if value < 0x800 {
                    buffer[at] = UInt8(0xC0 | (value >> 6))
                    buffer[at + 1] = UInt8(0x80 | (value & 0x3F))
                    at += 2
                } else if value < 0x1_0000 {
                    buffer[at] = UInt8(0xE0 | (value >> 12))
                    buffer[at + 1] = UInt8(0x80 | ((value >> 6) & 0x3F))
                    buffer[at + 2] = UInt8(0x80 | (value & 0x3F))
                    at += 3
                } else {
                    buffer[at] = UInt8(0xF0 | (value >> 18))
                    buffer[at + 1] = UInt8(0x80 | ((value >> 12) & 0x3F))
                    buffer[at + 2] = UInt8(0x80 | ((value >> 6) & 0x3F))
                    buffer[at + 3] = UInt8(0x80 | (value & 0x3F))
                    at += 4
                }
            }
            return at
        }
    }
}
