import Foundation

/// An article page reduced to what a reader wants: the body as plain text (one paragraph per
/// line) and its metadata.
public struct Article: Sendable, Equatable {
    public var title: String?
    public var text: String
    public var author: String?
    public var published: Date?
    public var language: String?
}
