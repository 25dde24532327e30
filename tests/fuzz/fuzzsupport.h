#pragma once

// Shared by the libFuzzer targets: a check that aborts (libFuzzer saves the input as a crash),
// and the pieces an input is fed in, so that every parser is also checked for giving the same
// outcome whatever the split across reads.

#include <QByteArray>
#include <QList>
#include <QtGlobal>

#include <cstdio>
#include <cstdlib>
#include <vector>

#define FUZZ_CHECK(condition)                                                                                          \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__);                   \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (0)

namespace metamcp::fuzz {

// Ascending offsets in (0, size) where the input is cut, chosen by `seed` (one byte of the
// input): pieces of 1 to 4 bytes for odd seeds, 1 to 64 for even ones.
inline std::vector<qsizetype> cutsFrom(unsigned char seed, qsizetype size)
{
    std::vector<qsizetype> cuts;
    quint32 state = quint32(seed) * 2654435761u + 1u;
    const quint32 maxPiece = (seed & 1) ? 4 : 64;
    for (qsizetype at = 0;;) {
        state = state * 1103515245u + 12345u;
        at += 1 + qsizetype((state >> 16) % maxPiece);
        if (at >= size)
            break;
        cuts.push_back(at);
    }
    return cuts;
}

// Prints two outcomes (lists of byte strings) when they differ; returns whether they are equal.
inline bool sameOutcome(const QList<QByteArray> &whole, const QList<QByteArray> &split)
{
    if (whole == split)
        return true;
    auto dump = [](const char *title, const QList<QByteArray> &outcome) {
        std::fprintf(stderr, "%s:\n", title);
        for (const QByteArray &part : outcome)
            std::fprintf(stderr, "  [%s]\n", part.toPercentEncoding(" :/;,=\"'()[]{}").constData());
    };
    dump("fed whole", whole);
    dump("fed in pieces", split);
    return false;
}

} // namespace metamcp::fuzz
