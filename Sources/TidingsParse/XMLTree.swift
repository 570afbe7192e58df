import CXML

/// A read-only view of one libxml2 node. Valid only while its ``XMLDocument`` lives.
struct XMLNode {
    let pointer: xmlNodePtr

    var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }
    var isText: Bool { pointer.pointee.type == XML_TEXT_NODE || pointer.pointee.type == XML_CDATA_SECTION_NODE }

    /// The local name, lowercased (`content:encoded` → `encoded`, with ``namespace``).
    var name: String { pointer.pointee.name.map { String(cString: $0).lowercased() } ?? "" }

    /// The namespace URI, if any.
    var namespace: String? { pointer.pointee.ns?.pointee.href.map { String(cString: $0) } }

    /// The namespace prefix, if any (`dc`, `content`).
    var prefix: String? { pointer.pointee.ns?.pointee.prefix.map { String(cString: $0) } }

    var children: [XMLNode] {
        var out: [XMLNode] = []
        var child = pointer.pointee.children
        while let node = child {
            out.append(XMLNode(pointer: node))
            child = node.pointee.next
        }
        return out
    }

    var elements: [XMLNode] { children.filter(\.isElement) }

    /// The concatenated text of the node and its descendants (entities and CDATA decoded).
    var text: String {
        guard let raw = xmlNodeGetContent(pointer) else { return "" }
        defer { tidings_xml_free(raw) }
        return String(cString: raw)
    }

    /// Raw text of a text or CDATA node.
    var content: String { pointer.pointee.content.map { String(cString: $0) } ?? "" }

    func attribute(_ name: String) -> String? {
        guard let raw = xmlGetProp(pointer, name) else { return nil }
        defer { tidings_xml_free(raw) }
        return String(cString: raw)
    }
}

/// Owns a libxml2 document and frees it.
final class XMLDocument {
    let pointer: xmlDocPtr

    /// Parses XML leniently: recovers what it can, never touches the network, never expands
    /// external entities (XXE), and caps nothing here (the fetcher caps the body size).
    init?(xml bytes: [UInt8], url: String?) {
        let options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
                | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue)
        let doc = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlReadMemory($0, Int32(buffer.count), url, nil, options)
                }
            }
        }
        guard let doc else { return nil }
        pointer = doc
    }

    /// Parses HTML (as libxml2's HTML parser does: lenient, implied tags).
    init?(html bytes: [UInt8], url: String?, encoding: String? = "UTF-8") {
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
                | HTML_PARSE_NOWARNING.rawValue)
        let doc = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    htmlReadMemory($0, Int32(buffer.count), url, encoding, options)
                }
            }
        }
        guard let doc else { return nil }
        pointer = doc
    }

    deinit { xmlFreeDoc(pointer) }

    var root: XMLNode? { xmlDocGetRootElement(pointer).map(XMLNode.init(pointer:)) }
}
