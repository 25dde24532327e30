#include "common/jsonhighlighter.h"

#include "common/uiutil.h"

#include <QEvent>
#include <QGuiApplication>
#include <QPalette>

namespace metamcp::ui {

JsonHighlighter::JsonHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
    // A string (optionally followed by a colon: a key), a number, or a literal.
    , m_token(QStringLiteral(R"(("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b)"))
{
    updateFormats();
}

void JsonHighlighter::updateFormats()
{
    m_dark = isDark(QGuiApplication::palette());
    m_keyFormat.setForeground(m_dark ? QColor(0x79, 0xc0, 0xff) : QColor(0x05, 0x50, 0xae));
    m_stringFormat.setForeground(m_dark ? QColor(0xa5, 0xd6, 0xa7) : QColor(0x0a, 0x6e, 0x31));
    m_numberFormat.setForeground(m_dark ? QColor(0xff, 0xb8, 0x6c) : QColor(0x95, 0x38, 0x00));
    m_literalFormat.setForeground(m_dark ? QColor(0xd2, 0xa8, 0xff) : QColor(0x82, 0x50, 0xdf));
}

bool JsonHighlighter::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::PaletteChange && isDark(QGuiApplication::palette()) != m_dark) {
        updateFormats();
        rehighlight();
    }
    return QSyntaxHighlighter::eventFilter(watched, event);
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    if (isDark(QGuiApplication::palette()) != m_dark)
        updateFormats();
    if (text.size() > 20'000)
        return; // very long lines (compact bodies): not worth colouring
    auto it = m_token.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (m.capturedLength(1) > 0)
            setFormat(int(m.capturedStart(1)), int(m.capturedLength(1)),
                      m.capturedLength(2) > 0 ? m_keyFormat : m_stringFormat);
        else if (m.capturedLength(3) > 0)
            setFormat(int(m.capturedStart(3)), int(m.capturedLength(3)), m_numberFormat);
        else if (m.capturedLength(4) > 0)
            setFormat(int(m.capturedStart(4)), int(m.capturedLength(4)), m_literalFormat);
    }
}

} // namespace metamcp::ui
