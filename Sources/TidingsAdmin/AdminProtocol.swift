import Foundation
import TidingsCore

/// The admin wire protocol: newline-delimited JSON over a Unix stream socket.
///
///     → {"id":1,"method":"sources.add","params":{"url":"https://…"}}
///     ← {"id":1,"ok":true,"result":{…}}
///     ← {"id":1,"ok":false,"error":{"code":"not_found","message":"…"}}
///
/// Streaming methods (`tail`) answer with `"more":true` lines until the stream ends.
public enum AdminProtocol {
    /// The longest line either side accepts, newline excluded.
    public static let maxLineLength = 1 << 20
    /// Longest request line the daemon reads: larger than a reply line, so that a bulk
    /// request (`sources.import` of 10,000 outlines) fits in one request and one transaction.
    public static let maxRequestLength = 16 << 20

    /// Methods, and whether they need admin rights (root or the daemon's own user).
    public static let methods: [String: Access] = [
        "status": .read, "sources.list": .read, "plugins.list": .read, "tail": .read, "ping": .read, "jobs": .read,
        "plugins.enable": .admin, "plugins.disable": .admin, "reprocess": .admin,
        "sources.add": .admin, "sources.import": .admin, "sources.remove": .admin, "sources.enable": .admin, "sources.disable": .admin,
        "sources.fetch": .admin, "pause": .admin, "resume": .admin, "reload": .admin, "shutdown": .admin,
    ]

    public enum Access: String, Sendable, Codable { case read, admin }

    /// Who may do what: root and the daemon's own user are admins; anyone else who can open
    /// the socket (its group) may read.
    public static func access(peerUID: UInt32, daemonUID: UInt32) -> Access {
        peerUID == 0 || peerUID == daemonUID ? .admin : .read
    }
}

/// A request line.
public struct AdminRequest: Sendable, Codable, Equatable {
    public var id: JSONValue?
    public var method: String
    public var params: JSONValue?

    public init(id: JSONValue?, method: String, params: JSONValue? = nil) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// Parses one line. Errors are replies the server sends back as they are.
    public static func parse(_ line: [UInt8]) -> Result<AdminRequest, AdminFailure> {
        guard let raw = try? AdminJSON.decoder().decode(JSONValue.self, from: Data(line)) else {
            return .failure(AdminFailure(id: nil, code: "parse_error", message: "the request is not valid JSON"))
        }
        guard case .object(let object) = raw else {
            return .failure(AdminFailure(id: nil, code: "invalid_request", message: "a request must be a JSON object"))
        }
        let id = object["id"]
        guard case .string(let method)? = object["method"] else {
            return .failure(
                AdminFailure(id: id, code: "invalid_request", message: "a request needs a \"method\" string"))
        }
        if let params = object["params"], params != .null {
            guard case .object = params else {
                return .failure(AdminFailure(id: id, code: "invalid_params", message: "\"params\" must be an object"))
            }
        }
        return .success(AdminRequest(id: id, method: method, params: object["params"]))
    }

    /// Decodes the params into a method's typed parameters, or fails with `invalid_params`.
    public func decodeParams<P: Decodable>(_ type: P.Type) throws(TidingsError) -> P {
        do {
            return try AdminJSON.convert(params ?? .object([:]), to: P.self)
        } catch let DecodingError.keyNotFound(key, _) {
            throw TidingsError.invalid("\(method): missing parameter \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(type, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw TidingsError.invalid("\(method): parameter \"\(path)\" must be a \(typeName(type))")
        } catch {
            throw TidingsError.invalid("\(method): bad parameters")
        }
    }

    private func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Bool.Type: "boolean"
        case is Int.Type, is Int64.Type, is Double.Type: "number"
        default: "\(type)"
        }
    }
}

/// An error reply.
public struct AdminFailure: Error, Sendable, Equatable {
    public var id: JSONValue?
    public var code: String
    public var message: String

    public init(id: JSONValue?, code: String, message: String) {
        self.id = id
        self.code = code
        self.message = message
    }
}

/// A reply line as the client reads it.
public struct AdminResponse: Sendable, Codable, Equatable {
    public struct ErrorBody: Sendable, Codable, Equatable {
        public var code: String
        public var message: String
    }
    public var id: JSONValue?
    public var ok: Bool
    public var more: Bool?
    public var result: JSONValue?
    public var error: ErrorBody?

    public init(id: JSONValue?, ok: Bool, more: Bool? = nil, result: JSONValue? = nil, error: ErrorBody? = nil) {
        self.id = id
        self.ok = ok
        self.more = more
        self.result = result
        self.error = error
    }

    /// One encoded line, newline included.
    public func line() -> [UInt8] {
        var data = (try? AdminJSON.encoder().encode(self)) ?? Data(#"{"ok":false,"error":{"code":"internal","message":"unencodable reply"}}"#.utf8)
        data.append(0x0A)
        return Array(data)
    }

    public static func success(id: JSONValue?, result: JSONValue, more: Bool = false) -> AdminResponse {
        AdminResponse(id: id, ok: true, more: more ? true : nil, result: result)
    }

    public static func failure(_ failure: AdminFailure) -> AdminResponse {
        AdminResponse(id: failure.id, ok: false, error: ErrorBody(code: failure.code, message: failure.message))
    }
}
