#pragma once

// Character classes and small helpers of HTTP/1.1 message text (RFC 9110/9112), shared by the
// server's request parser and the response parser of the REST client. Header-only; only
// printable() allocates.

#include <QByteArrayView>
#include <QString>

#include <algorithm>
#include <array>

namespace metamcp::http::text {

// RFC 9110 tchar: "!#$%&'*+-.^_`|~" / DIGIT / ALPHA
constexpr std::array<bool, 256> makeTcharTable()
{
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c)
        table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        table[c] = true;
    for (const char c : {'!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~'})
        table[static_cast<unsigned char>(c)] = true;
    return table;
}
inline constexpr std::array<bool, 256> kTchar = makeTcharTable();

inline bool isTchar(char c)
{
    return kTchar[static_cast<unsigned char>(c)];
}

// Control characters other than HTAB are never allowed in a field value (CR and LF included).
inline bool isBadValueChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7F;
}

inline bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

inline int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

inline char toLowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c + ('a' - 'A')) : c;
}

inline bool equalsIgnoreCase(QByteArrayView a, QByteArrayView lower)
{
    if (a.size() != lower.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (toLowerAscii(a[i]) != lower[i])
            return false;
    return true;
}

inline QByteArrayView trimmedOws(QByteArrayView v)
{
    qsizetype b = 0;
    qsizetype e = v.size();
    while (b < e && isOws(v[b]))
        ++b;
    while (e > b && isOws(v[e - 1]))
        --e;
    return v.sliced(b, e - b);
}

// Calls f(element) for every non-empty element of a comma-separated list; stops when f
// returns false and returns false then.
template<typename F> bool forEachListElement(QByteArrayView list, F &&f)
{
    qsizetype start = 0;
    while (start <= list.size()) {
        qsizetype comma = list.indexOf(',', start);
        if (comma < 0)
            comma = list.size();
        const QByteArrayView element = trimmedOws(list.sliced(start, comma - start));
        if (!element.isEmpty() && !f(element))
            return false;
        start = comma + 1;
    }
    return true;
}

inline bool hasBadValueChar(QByteArrayView v)
{
    // A lambda, not the function's address: the compiler inlines the test into the loop.
    return std::any_of(v.begin(), v.end(), [](char c) { return isBadValueChar(c); });
}

// A non-empty run of tchar (a method, a header name).
inline bool isToken(QByteArrayView v)
{
    return !v.isEmpty() && std::all_of(v.begin(), v.end(), [](char c) { return isTchar(c); });
}

// What a misbehaving peer sent, for an error message: printable ASCII, bounded.
inline QString printable(QByteArrayView bytes)
{
    constexpr qsizetype kMax = 60;
    QString out;
    for (qsizetype i = 0; i < bytes.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        out += (c >= 0x20 && c < 0x7F) ? QLatin1Char(char(c)) : QLatin1Char('?');
    }
    if (bytes.size() > kMax)
        out += QChar(0x2026);
    return out;
}

} // namespace metamcp::http::text
