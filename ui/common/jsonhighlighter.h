#pragma once

// Colours keys, strings, numbers and literals of pretty-printed JSON; follows the light or
// dark palette of the application.

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace metamcp::ui {

class JsonHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JsonHighlighter)
public:
    explicit JsonHighlighter(QTextDocument *document);

    // Re-colours when `watched` (the view showing the document) gets a new palette.
    bool eventFilter(QObject *watched, QEvent *event) override;

protected:
    void highlightBlock(const QString &text) override;

private:
    void updateFormats();

    QRegularExpression m_token;
    QTextCharFormat m_keyFormat;
    QTextCharFormat m_stringFormat;
    QTextCharFormat m_numberFormat;
    QTextCharFormat m_literalFormat;
    bool m_dark = false;
};

} // namespace metamcp::ui
