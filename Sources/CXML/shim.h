#ifndef TIDINGS_CXML_SHIM_H
#define TIDINGS_CXML_SHIM_H
// Debian's libxml2 is built with ICU, and its encoding.h would pull the system's ICU headers,
// which clash with the copy inside Foundation. Nothing here needs libxml2's ICU converters.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>

// xmlFree is a global function-pointer variable, which Swift 6 treats as shared mutable state.
static inline void tidings_xml_free(void *p) { if (p) xmlFree(p); }
#endif
