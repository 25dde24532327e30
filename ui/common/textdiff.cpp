#include "common/textdiff.h"

#include <QStringList>

#include <vector>

namespace metamcp::ui {

namespace {
struct Op
{
    char kind; // ' ', '-', '+'
    int a;     // line index in before (for ' ' and '-')
    int b;     // line index in after (for ' ' and '+')
};

QStringList splitLines(const QString &text)
{
    if (text.isEmpty())
        return {};
    QStringList lines = text.split(QLatin1Char('\n'));
    if (text.endsWith(QLatin1Char('\n')))
        lines.removeLast();
    return lines;
}

// Longest common subsequence over lines (files here are small: client configs).
std::vector<Op> diffOps(const QStringList &a, const QStringList &b)
{
    const auto n = std::size_t(a.size());
    const auto m = std::size_t(b.size());
    std::vector<Op> ops;
    if (n * m > 16'000'000) { // too big for the table: replace everything
        for (std::size_t i = 0; i < n; ++i)
            ops.push_back({'-', int(i), -1});
        for (std::size_t j = 0; j < m; ++j)
            ops.push_back({'+', -1, int(j)});
        return ops;
    }
    std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            lcs[i][j] =
                a[qsizetype(i)] == b[qsizetype(j)] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n && j < m) {
        if (a[qsizetype(i)] == b[qsizetype(j)]) {
            ops.push_back({' ', int(i++), int(j++)});
        } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push_back({'-', int(i++), -1});
        } else {
            ops.push_back({'+', -1, int(j++)});
        }
    }
    while (i < n)
        ops.push_back({'-', int(i++), -1});
    while (j < m)
        ops.push_back({'+', -1, int(j++)});
    return ops;
}
} // namespace

QString unifiedDiff(const QString &before, const QString &after, const QString &beforeName, const QString &afterName,
                    int context)
{
    const QStringList a = splitLines(before);
    const QStringList b = splitLines(after);
    const std::vector<Op> ops = diffOps(a, b);
    QString out;
    std::size_t k = 0;
    bool header = false;
    while (k < ops.size()) {
        // Next change.
        std::size_t change = k;
        while (change < ops.size() && ops[change].kind == ' ')
            ++change;
        if (change == ops.size())
            break;
        // Extend the hunk while changes are within 2*context of each other.
        const std::size_t start = change > std::size_t(context) ? std::max(k, change - std::size_t(context)) : k;
        std::size_t end = change;
        std::size_t lastChange = change;
        while (end < ops.size()) {
            if (ops[end].kind != ' ')
                lastChange = end;
            else if (end - lastChange > std::size_t(2 * context))
                break;
            ++end;
        }
        end = std::min(ops.size(), lastChange + 1 + std::size_t(context));
        int aStart = -1;
        int bStart = -1;
        int aCount = 0;
        int bCount = 0;
        for (std::size_t x = start; x < end; ++x) {
            if (ops[x].kind != '+') {
                if (aStart < 0)
                    aStart = ops[x].a;
                ++aCount;
            }
            if (ops[x].kind != '-') {
                if (bStart < 0)
                    bStart = ops[x].b;
                ++bCount;
            }
        }
        if (!header) {
            out += QStringLiteral("--- %1\n+++ %2\n").arg(beforeName, afterName);
            header = true;
        }
        // Line numbers are 1-based; an empty side is "N,0" after the preceding line.
        auto firstLine = [&](int s, bool isA) {
            if (s >= 0)
                return s + 1;
            // No line of this side in the hunk: position after the last line before it.
            for (std::size_t x = start; x-- > 0;) {
                const int v = isA ? ops[x].a : ops[x].b;
                if (v >= 0)
                    return v + 1;
            }
            return 0;
        };
        out += QStringLiteral("@@ -%1,%2 +%3,%4 @@\n")
                   .arg(firstLine(aStart, true))
                   .arg(aCount)
                   .arg(firstLine(bStart, false))
                   .arg(bCount);
        for (std::size_t x = start; x < end; ++x) {
            const Op &op = ops[x];
            out += QLatin1Char(op.kind);
            out += op.kind == '+' ? b[op.b] : a[op.a];
            out += QLatin1Char('\n');
        }
        k = end;
    }
    return out;
}

} // namespace metamcp::ui
