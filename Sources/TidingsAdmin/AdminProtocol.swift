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
    /// The longest reply line the client reads: `sources.list` of 100,000 sources is tens of
    /// megabytes on one line.
    public static let maxReplyLength = 256 << 20
    /// Longest request line the daemon reads: larger than a reply line, so that a bulk
    /// request (`sources.import` of 10,000 outlines) fits in one request and one transaction.
    public static let maxRequestLength = 16 << 20

    /// Methods, and whether they need admin rights (root or the daemon's own user).
    public static let methods: [String: Access] = Dictionary(uniqueKeysWithValues: AdminMethods.all.map { ($0.name, $0.access) })

    public enum Access: String, Sendable, Codable { case read, admin }

    /// Who may do what: root and the daemon's own user are admins; anyone else who can open
    /// the socket (its group) may read.
    public static func access(peerUID: UInt32, daemonUID: UInt32) -> Access {
        peerUID == 0 || peerUID == daemonUID ? .admin : .read
    }
}

/// A request line.
public struct AdminRequest: Sendable, Equatable {
    public var id: JSON?
    public var method: String
    public var params: JSON?

    public init(id: JSON?, method: String, params: JSON? = nil) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// A method's typed request.
    public init<M: AdminMethod>(id: JSON?, _ method: M.Type, _ params: M.Params) throws {
        self.init(id: id, method: M.name, params: try JSON.encode(params, nils: .omitted))
    }

    /// The request as one line, newline included.
    public func line() -> [UInt8] {
        var members: [(key: String, value: JSON)] = []
        if let id { members.append((key: "id", value: id)) }
        members.append((key: "method", value: .string(method)))
        if let params { members.append((key: "params", value: params)) }
        return Array((JSON.object(members).text() + "\n").utf8)
    }

    /// Parses one line. Errors are replies the server sends back as they are.
    public static func parse(_ line: [UInt8]) -> Result<AdminRequest, AdminFailure> {
        guard let raw = try? JSON.parse(line) else {
            return .failure(AdminFailure(id: nil, code: "parse_error", message: "the request is not valid JSON"))
        }
        guard case .object = raw else {
            return .failure(AdminFailure(id: nil, code: "invalid_request", message: "a request must be a JSON object"))
        }
        let id = raw["id"]
        guard case .string(let method)? = raw["method"] else {
            return .failure(
                AdminFailure(id: id, code: "invalid_request", message: "a request needs a \"method\" string"))
        }
        if let params = raw["params"], !params.isNull {
            guard case .object = params else {
                return .failure(AdminFailure(id: id, code: "invalid_params", message: "\"params\" must be an object"))
            }
        }
        return .success(AdminRequest(id: id, method: method, params: raw["params"]))
    }

    /// Decodes the params into a method's typed parameters, or fails with `invalid_params`:
    /// a missing or mistyped parameter, or one the method does not take (at any depth: a
    /// misspelt key in one outline of `sources.import` too).
    public func decodeParams<P: Decodable>(_ type: P.Type) throws(TidingsError) -> P {
        let given = params.flatMap { $0.isNull ? nil : $0 } ?? .object([])
        do {
            return try given.decodeStrictly(P.self)
        } catch let unknown as JSONUnknownKeys {
            let names = unknown.unknown.map { "\"\(unknown.path.isEmpty ? $0 : "\(unknown.path).\($0)")\"" }.joined(separator: ", ")
            let takes = unknown.known.isEmpty ? "it takes no parameters" : "it takes \(unknown.known.joined(separator: ", "))"
            throw TidingsError.invalid("\(method): unknown parameter \(names); \(takes)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw TidingsError.invalid("\(method): missing parameter \"\(JSON.snakeCase(key.stringValue))\"")
        } catch let DecodingError.typeMismatch(type, context) {
            throw TidingsError.invalid("\(method): parameter \"\(Self.path(context))\" must be \(typeName(type))")
        } catch let DecodingError.valueNotFound(type, context) {
            throw TidingsError.invalid("\(method): parameter \"\(Self.path(context))\" must be \(typeName(type)), not null")
        } catch let DecodingError.dataCorrupted(context) {
            throw TidingsError.invalid("\(method): parameter \"\(Self.path(context))\": \(context.debugDescription)")
        } catch {
            throw TidingsError.invalid("\(method): bad parameters")
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".")
    }

    private func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is [String: JSON].Type: "an object"
        case is [JSON].Type: "an array"
        default: "\(type)"
        }
    }
}

/// An error reply.
public struct AdminFailure: Error, Sendable, Equatable {
    public var id: JSON?
    public var code: String
    public var message: String

    public init(id: JSON?, code: String, message: String) {
        self.id = id
        self.code = code
        self.message = message
    }
}

/// A reply line.
public struct AdminResponse: Sendable, Equatable {
    public struct ErrorBody: Sendable, Equatable {
        public var code: String
        public var message: String
    }
    public var id: JSON?
    public var ok: Bool
    public var more: Bool?
    public var result: JSON?
    /// The result already encoded (`JSON.encodeText`), written as it is: a large reply needs
    /// no tree of JSON values on its way out.
    public var encodedResult: [UInt8]?
    public var error: ErrorBody?

    public init(id: JSON?, ok: Bool, more: Bool? = nil, result: JSON? = nil, error: ErrorBody? = nil) {
        self.id = id
        self.ok = ok
        self.more = more
        self.result = result
        self.error = error
    }

    /// One encoded line, newline included: `id` (null when the request had none), `ok`, then
    /// `more` on stream items, then `result` or `error`.
    public func line() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id")
        writer.value(id ?? .null)
        writer.key("ok")
        writer.bool(ok)
        if let more {
            writer.key("more")
            writer.bool(more)
        }
        if let encodedResult {
            writer.key("result")
            writer.raw(encodedResult)
        } else if let result {
            writer.key("result")
            writer.value(result)
        }
        if let error {
            writer.key("error")
            writer.beginObject()
            writer.field("code", error.code)
            writer.field("message", error.message)
            writer.endObject()
        }
        writer.endObject()
        writer.newline()
        return writer.bytes
    }

    /// Reads a reply line; nil when it is not one.
    public static func parse(_ line: [UInt8]) -> AdminResponse? {
        guard let raw = try? JSON.parse(line), case .bool(let ok)? = raw["ok"] else { return nil }
        var error: ErrorBody?
        if let body = raw["error"], !body.isNull {
            error = ErrorBody(code: body["code"]?.string ?? "error", message: body["message"]?.string ?? "unknown error")
        }
        let id = raw["id"].flatMap { $0.isNull ? nil : $0 }
        return AdminResponse(id: id, ok: ok, more: raw["more"]?.bool, result: raw["result"], error: error)
    }

    public static func success(id: JSON?, result: JSON, more: Bool = false) -> AdminResponse {
        AdminResponse(id: id, ok: true, more: more ? true : nil, result: result)
    }

    /// A success whose result is already JSON text (`JSON.encodeText`).
    public static func success(id: JSON?, encoded: [UInt8], more: Bool = false) -> AdminResponse {
        var response = AdminResponse(id: id, ok: true, more: more ? true : nil)
        response.encodedResult = encoded
        return response
    }

    public static func failure(_ failure: AdminFailure) -> AdminResponse {
        AdminResponse(id: failure.id, ok: false, error: ErrorBody(code: failure.code, message: failure.message))
    }
}
