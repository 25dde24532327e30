#include "model/jsontext.h"

#include <cmath>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>
#include <limits>

namespace metamcp::json {

namespace {

// JSON text never holds a NUL byte (only escaped); rapidjson's streams would take one for the
// end of the input and accept what precedes it.
bool hasNoText(QByteArrayView text)
{
    return text.isEmpty() || std::memchr(text.data(), 0, static_cast<size_t>(text.size()));
}

// rapidjson's SAX reader without a document: strict RFC 8259 grammar, UTF-8 validated, no BOM,
// one value; iterative, so deep nesting cannot exhaust the stack.
template<typename Handler> rapidjson::ParseResult parseStrict(rapidjson::MemoryStream &stream, Handler &handler)
{
    rapidjson::Reader reader;
    return reader.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(stream, handler);
}

// QJsonDocument refuses a number that overflows (a long mantissa with a large exponent, which
// rapidjson may read as infinity instead of failing), and a number whose digits are not all zero
// but whose value underflows to zero ("1e-400", "2e-324": "illegal number"); rapidjson reads it as 0. Text that passes
// the strict checks must be text QJsonDocument reads too, so a handler refuses a double of 0 when this says so. The
// number ends where the stream is (rapidjson calls the handler after taking it); its mantissa is what precedes the
// exponent.
bool underflowsToZero(const rapidjson::MemoryStream &stream)
{
    auto isNumberChar = [](char c) {
        return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    };
    const char *const end = stream.begin_ + stream.Tell();
    const char *p = end;
    while (p > stream.begin_ && isNumberChar(p[-1]))
        --p;
    for (; p < end && *p != 'e' && *p != 'E'; ++p)
        if (*p >= '1' && *p <= '9')
            return true;
    return false;
}

// The handler of isStrictJson(): accepts every value except a number QJsonDocument refuses.
class StrictHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, StrictHandler>
{
public:
    explicit StrictHandler(const rapidjson::MemoryStream &stream)
        : m_stream(stream)
    {}
    bool Double(double d) { return std::isfinite(d) && (d != 0.0 || !underflowsToZero(m_stream)); }

private:
    const rapidjson::MemoryStream &m_stream;
};

// Any byte below 0x20? Eight bytes at a time (SWAR): in a word, (x - 0x20..20) & ~x has a
// byte's top bit set only if some byte is below 0x20 (a borrow starts only at one, and a byte
// of 0x80 or more has its top bit cleared by ~x). About 30 bytes a nanosecond, a few percent
// of what QJsonDocument takes for the same text, on any CPU and whatever the optimizer does.
bool hasByteBelowSpace(QByteArrayView text)
{
    constexpr quint64 kOnes = 0x0101010101010101ULL;
    const char *p = text.data();
    const char *const end = p + text.size();
    for (; end - p >= 32; p += 32) {
        quint64 words[4];
        std::memcpy(words, p, sizeof(words));
        quint64 hit = 0;
        for (const quint64 x : words)
            hit |= (x - kOnes * 0x20) & ~x;
        if (hit & (kOnes * 0x80))
            return true;
    }
    for (; p < end; ++p)
        if (static_cast<unsigned char>(*p) < 0x20)
            return true;
    return false;
}

// How a byte is written inside a JSON string: 0 as is, else the letter after the backslash
// ('u': \u00XX).
struct EscapeTable
{
    char letter[256] = {};
    constexpr EscapeTable()
    {
        for (int c = 0; c < 0x20; ++c)
            letter[c] = 'u';
        letter[int('\b')] = 'b';
        letter[int('\f')] = 'f';
        letter[int('\n')] = 'n';
        letter[int('\r')] = 'r';
        letter[int('\t')] = 't';
        letter[int('"')] = '"';
        letter[int('\\')] = '\\';
    }
};
constexpr EscapeTable kEscape;

} // namespace

bool isStrictJson(QByteArrayView text)
{
    if (hasNoText(text))
        return false;
    rapidjson::MemoryStream stream(text.data(), static_cast<size_t>(text.size()));
    StrictHandler handler(stream);
    return !parseStrict(stream, handler).IsError();
}

std::optional<QString> controlCharacterError(QByteArrayView text)
{
    if (!hasByteBelowSpace(text))
        return std::nullopt;
    auto control = [](qsizetype offset, unsigned char c) {
        return QStringLiteral("raw control character U+%1 in a string at offset %2 (RFC 8259 wants it escaped)")
            .arg(QString::number(c, 16).toUpper().rightJustified(4, u'0'))
            .arg(offset);
    };
    // rapidjson would take a NUL for the end of the text; QJsonDocument reads one only in a string.
    if (const auto *nul = static_cast<const char *>(std::memchr(text.data(), 0, size_t(text.size()))))
        return control(nul - text.data(), 0);
    rapidjson::MemoryStream stream(text.data(), static_cast<size_t>(text.size()));
    rapidjson::BaseReaderHandler<> ignore;
    const rapidjson::ParseResult result = parseStrict(stream, ignore);
    if (!result.IsError() || result.Code() == rapidjson::kParseErrorNumberTooBig ||
        result.Code() == rapidjson::kParseErrorStringUnicodeSurrogateInvalid)
        return std::nullopt;
    const auto offset = qsizetype(result.Offset());
    if (offset < text.size() && static_cast<unsigned char>(text[offset]) < 0x20)
        return control(offset, static_cast<unsigned char>(text[offset]));
    QString why = QString::fromLatin1(rapidjson::GetParseError_En(result.Code())); // "Invalid value."
    why.chop(why.endsWith(u'.') ? 1 : 0);
    return QStringLiteral("%1 at offset %2").arg(why).arg(offset);
}

void appendJsonString(QByteArray &out, QByteArrayView utf8)
{
    static constexpr char kHex[] = "0123456789abcdef";
    // Two passes: the exact size first, so the text is written with one allocation.
    qsizetype extra = 0;
    for (const char ch : utf8) {
        const char letter = kEscape.letter[static_cast<unsigned char>(ch)];
        extra += letter == 0 ? 0 : letter == 'u' ? 5 : 1;
    }
    const qsizetype start = out.size();
    out.resize(start + utf8.size() + extra + 2);
    char *w = out.data() + start;
    *w++ = '"';
    if (extra == 0) {
        if (!utf8.isEmpty()) // memcpy from an empty view's null pointer is undefined, even for 0 bytes
            std::memcpy(w, utf8.data(), static_cast<size_t>(utf8.size()));
        w += utf8.size();
    } else {
        for (const char ch : utf8) {
            const auto c = static_cast<unsigned char>(ch);
            const char letter = kEscape.letter[c];
            if (letter == 0) {
                *w++ = ch;
                continue;
            }
            *w++ = '\\';
            *w++ = letter;
            if (letter == 'u') {
                *w++ = '0';
                *w++ = '0';
                *w++ = kHex[c >> 4];
                *w++ = kHex[c & 0xf];
            }
        }
    }
    *w = '"';
}

namespace {

// SAX handler of scanSuccessResponse(): follows the depth and the top-level members. Strings
// reach it in a buffer that is reused, so a key is classified at once, never kept.
class ResponseScanner : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ResponseScanner>
{
public:
    ResponseScanner(const rapidjson::MemoryStream &stream, QByteArrayView text)
        : m_stream(stream)
        , m_text(text)
    {}

    // Scalars: null, doubles, strings, and whatever has no handler of its own.
    bool Default() { return scalar(); }
    bool Bool(bool b)
    {
        if (m_depth == 2 && m_inResult && m_key == Member::IsError)
            m_response.isError = b;
        return scalar();
    }
    bool Int(int i) { return integer(i); }
    bool Uint(unsigned u) { return integer(u); }
    bool Int64(int64_t i) { return integer(i); }
    bool Uint64(uint64_t u)
    {
        return u <= uint64_t(std::numeric_limits<qint64>::max()) ? integer(qint64(u)) : scalar();
    }
    bool Double(double d) { return std::isfinite(d) && (d != 0.0 || !underflowsToZero(m_stream)) && scalar(); }
    bool String(const char *str, rapidjson::SizeType length, bool)
    {
        if (m_depth == 1 && m_key == Member::JsonRpc)
            m_jsonrpc = QByteArrayView(str, length) == "2.0";
        return m_depth != 1 || m_key == Member::JsonRpc || m_key == Member::Other;
    }
    bool Key(const char *str, rapidjson::SizeType length, bool)
    {
        const QByteArrayView key(str, length);
        m_key = key == "id"                         ? Member::Id
                : key == "result"                   ? Member::Result
                : key == "jsonrpc"                  ? Member::JsonRpc
                : key == "isError"                  ? Member::IsError
                : key == "method" || key == "error" ? Member::Excluded
                                                    : Member::Other;
        if (m_depth != 1)
            return true;
        // Not a success response, or duplicate members: leave it to the full parser.
        return m_key != Member::Excluded && !(m_key == Member::Id && m_hasId) &&
               !(m_key == Member::Result && m_hasResult);
    }
    bool StartObject()
    {
        if (m_depth == 1) {
            if (m_key != Member::Result && m_key != Member::Other)
                return false; // an object as id or jsonrpc
            if (m_key == Member::Result) {
                m_inResult = true;
                m_response.resultBegin = brace('{');
            }
        }
        ++m_depth;
        return true;
    }
    bool EndObject(rapidjson::SizeType)
    {
        --m_depth;
        if (m_depth == 1 && m_inResult) {
            m_inResult = false;
            m_hasResult = true;
            m_response.resultEnd = brace('}') + 1;
        }
        return true;
    }
    bool StartArray()
    {
        if (m_depth == 0 || (m_depth == 1 && m_key != Member::Other))
            return false; // a batch, or an array as id, result or jsonrpc
        ++m_depth;
        return true;
    }
    bool EndArray(rapidjson::SizeType)
    {
        --m_depth;
        return true;
    }

    std::optional<SuccessResponse> result() const
    {
        if (!m_jsonrpc || !m_hasId || !m_hasResult)
            return std::nullopt;
        return m_response;
    }

private:
    enum class Member { Other, Id, Result, JsonRpc, IsError, Excluded };

    bool scalar() const { return m_depth != 1 || m_key == Member::Other; }
    bool integer(qint64 i)
    {
        if (m_depth == 1 && m_key == Member::Id) {
            m_hasId = true;
            m_response.id = i;
            return true;
        }
        return scalar();
    }
    // Where the brace the parser is at lies. rapidjson's iterative parser calls StartObject and
    // EndObject before it takes the brace from the stream (tst_jsontext pins the spans, nested
    // "}}}" included); the fallback covers a parser that takes it first, for an opening brace.
    qsizetype brace(char c) const
    {
        const auto at = qsizetype(m_stream.Tell());
        if (at < m_text.size() && m_text[at] == c)
            return at;
        return at - 1;
    }

    const rapidjson::MemoryStream &m_stream;
    QByteArrayView m_text;
    Member m_key = Member::Other;
    int m_depth = 0;
    bool m_inResult = false;
    bool m_hasId = false;
    bool m_hasResult = false;
    bool m_jsonrpc = false;
    SuccessResponse m_response;
};

} // namespace

std::optional<SuccessResponse> scanSuccessResponse(QByteArrayView text)
{
    if (hasNoText(text))
        return std::nullopt;
    rapidjson::MemoryStream stream(text.data(), static_cast<size_t>(text.size()));
    ResponseScanner scanner(stream, text);
    if (parseStrict(stream, scanner).IsError())
        return std::nullopt;
    return scanner.result();
}

char firstSignificant(QByteArrayView text)
{
    for (const char c : text)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return c;
    return 0;
}

std::optional<QString> scalarText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        // Only doubles within qint64's range may be converted to it (anything else is undefined).
        if (d >= -0x1p63 && d < 0x1p63 && d == static_cast<double>(static_cast<qint64>(d)))
            return QString::number(static_cast<qint64>(d));
        return QString::number(d, 'g', 17);
    }
    default:
        return std::nullopt;
    }
}

} // namespace metamcp::json
