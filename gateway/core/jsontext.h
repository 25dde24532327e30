#pragma once

// JSON as text: checks on bytes the gateway passes through without building a QJsonObject.

#include <QByteArrayView>

namespace metamcp::json {

// True if `text` is one JSON value by RFC 8259 (surrounding whitespace allowed) in valid UTF-8.
// Strict where QJsonDocument is lenient (raw control characters and NUL in strings, "1.", ".5",
// unknown escapes, a BOM), so that text which passes may be spliced into a message unchanged.
// Also false for what the grammar allows but rapidjson refuses: numbers beyond double range
// and lone surrogate escapes ("\ud800"); callers fall back to QJsonDocument for those.
bool isStrictJson(QByteArrayView text);

// The first byte that is not JSON whitespace, or 0 if there is none.
char firstSignificant(QByteArrayView text);

} // namespace metamcp::json
