/// Splits a byte stream into newline-terminated lines with a length cap. A line over the cap
/// is reported once as `.tooLong` and skipped up to its newline; the stream goes on.
public struct LineFramer: Sendable {
    public enum Event: Equatable, Sendable {
        case line([UInt8])
        case tooLong
    }

    public let maxLength: Int
    private var buffer: [UInt8] = []
    private var discarding = false

    public init(maxLength: Int) { self.maxLength = maxLength }

    /// Feeds bytes and returns the complete lines they finish (CR before LF is dropped;
    /// blank lines are skipped).
    public mutating func feed<Bytes: Collection>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        var events: [Event] = []
        for byte in bytes {
            if byte == 0x0A {
                if discarding {
                    discarding = false
                } else {
                    if buffer.last == 0x0D { buffer.removeLast() }
                    if !buffer.isEmpty { events.append(.line(buffer)) }
                }
                buffer.removeAll(keepingCapacity: true)
            } else if !discarding {
                buffer.append(byte)
                if buffer.count > maxLength {
                    discarding = true
                    buffer.removeAll()
                    events.append(.tooLong)
                }
            }
        }
        return events
    }
}
