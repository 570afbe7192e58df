/// An error with a machine-readable code and a message that tells the user what to do.
/// The admin protocol sends `code` and `message` as they are.
public struct TidingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func notFound(_ message: String) -> TidingsError { .init("not_found", message) }
    public static func invalid(_ message: String) -> TidingsError { .init("invalid_params", message) }
    public static func conflict(_ message: String) -> TidingsError { .init("conflict", message) }
    public static func internalError(_ message: String) -> TidingsError { .init("internal", message) }
}
