#pragma once

// JSON as text: checks on bytes the gateway passes through without building a QJsonObject.

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QString>
#include <QtGlobal>

#include <optional>

namespace metamcp::json {

// True if `text` is one JSON value by RFC 8259 (surrounding whitespace allowed) in valid UTF-8.
// Strict where QJsonDocument is lenient (raw control characters and NUL in strings, "1.", ".5",
// unknown escapes, a BOM), so that text which passes may be spliced into a message unchanged.
// Also false for what the grammar allows but rapidjson refuses: numbers beyond double range
// and lone surrogate escapes ("\ud800"); callers fall back to QJsonDocument for those. And
// false for numbers that underflow to zero ("1e-400"), which QJsonDocument refuses: whatever
// passes, QJsonDocument reads.
bool isStrictJson(QByteArrayView text);

// For a client message that QJsonDocument has read: why it is not JSON by RFC 8259 after all, as
// the text of a parse error, or nullopt. QJsonDocument takes raw control characters (U+0000 to
// U+001F) in strings, which RFC 8259 (section 7) forbids. Costs one pass over the bytes for text
// without a byte below 0x20 (compact JSON): only text holding one (such a character, or line
// breaks and tabs between tokens) is parsed again, strictly as isStrictJson() does, and then any
// strict error counts except the two the grammar allows (numbers beyond double range, lone
// surrogate escapes). QJsonDocument's other leniencies ("1.") are not looked for in text
// without such a byte.
std::optional<QString> controlCharacterError(QByteArrayView text);

// Where the result of a JSON-RPC success response lies in its text.
struct SuccessResponse
{
    qint64 id = 0;
    qsizetype resultBegin = 0; // the result object: text.sliced(resultBegin, resultEnd - resultBegin)
    qsizetype resultEnd = 0;
    bool isError = false; // result.isError is true (a tool error)
};

// If `text` is strict JSON (as isStrictJson) of a success response with an integer id and an
// object result, {"jsonrpc":"2.0","id":N,"result":{...}} with no "error" or "method", where its
// result is. Anything else (requests, notifications, errors, batches, string ids) gives nullopt;
// the scan stops at the first member that rules the message out.
std::optional<SuccessResponse> scanSuccessResponse(QByteArrayView text);

// Appends `utf8` as a JSON string literal (quotes and escapes added). `utf8` must be valid UTF-8.
void appendJsonString(QByteArray &out, QByteArrayView utf8);

// The first byte that is not JSON whitespace, or 0 if there is none.
char firstSignificant(QByteArrayView text);

// A scalar the way it is written in a URL, a header or an environment variable: strings as they
// are, booleans as "true"/"false", integral numbers without ".0", other numbers with 17
// significant digits. nullopt for null, arrays and objects.
std::optional<QString> scalarText(const QJsonValue &value);

} // namespace metamcp::json
