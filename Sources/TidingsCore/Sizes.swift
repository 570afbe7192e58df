import Foundation

/// Byte sizes as people write them: `"16MiB"`, `"512KiB"`, `"2MB"`, or a number of bytes.
public enum Sizes {
    static let units: [(String, Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1),
    ]

    /// Largest size accepted (1 GiB: the XML reader takes at most 2 GiB after decoding).
    public static let max = 1 << 30
    /// ``max`` as messages say it.
    public static let maxText = "1GiB"

    /// What a valid size looks like, for error messages.
    public static let allowed = "a positive number of bytes, or a string such as \"512KiB\", \"16MiB\" or \"1GiB\""

    /// The size in bytes, or nil when `text` is not a positive size (nor, with a unit, one of
    /// at most ``max``).
    public static func bytes(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), value > 0,
                value * Double(factor) <= Double(Sizes.max)
            else { return nil }
            return Int(value * Double(factor))
        }
        return Int(trimmed).flatMap { $0 > 0 ? $0 : nil }
    }
}
