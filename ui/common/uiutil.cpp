#include "common/uiutil.h"

#include "common/jsonhighlighter.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QTableView>

namespace metamcp::ui {

QString kindDisplayName(UpstreamKind kind)
{
    switch (kind) {
    case UpstreamKind::Stdio:
        return QObject::tr("stdio");
    case UpstreamKind::StreamableHttp:
        return QObject::tr("Streamable HTTP");
    case UpstreamKind::Sse:
        return QObject::tr("SSE");
    case UpstreamKind::Rest:
        return QObject::tr("REST");
    }
    return {};
}

QString stateDisplayName(UpstreamState state)
{
    switch (state) {
    case UpstreamState::Stopped:
        return QObject::tr("Stopped");
    case UpstreamState::Starting:
        return QObject::tr("Starting");
    case UpstreamState::Ready:
        return QObject::tr("Ready");
    case UpstreamState::Failing:
        return QObject::tr("Failing");
    }
    return {};
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

QColor errorColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x1c, 0x28);
}

QColor okColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0x57, 0xd3, 0x64) : QColor(0x1a, 0x7f, 0x37);
}

QColor warningColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0xf0, 0xb7, 0x2f) : QColor(0x9a, 0x67, 0x00);
}

QColor stateColor(UpstreamState state, const QPalette &palette)
{
    switch (state) {
    case UpstreamState::Ready:
        return okColor(palette);
    case UpstreamState::Starting:
        return warningColor(palette);
    case UpstreamState::Failing:
        return errorColor(palette);
    case UpstreamState::Stopped:
        break;
    }
    return palette.color(QPalette::Disabled, QPalette::WindowText);
}

QIcon dotIcon(const QColor &color, bool paused)
{
    QIcon icon;
    for (int size : {16, 20, 22, 24, 32, 48, 64, 128}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        const qreal margin = size / 8.0;
        const QRectF circle(margin, margin, size - 2 * margin, size - 2 * margin);
        painter.setPen(QPen(color.darker(140), std::max(1.0, size / 16.0)));
        painter.setBrush(color);
        painter.drawEllipse(circle);
        if (paused) {
            painter.setPen(Qt::NoPen);
            painter.setBrush(Qt::white);
            const qreal w = circle.width() / 7.0;
            const qreal h = circle.height() / 2.2;
            const qreal top = circle.center().y() - h / 2;
            painter.drawRect(QRectF(circle.center().x() - 2 * w, top, w, h));
            painter.drawRect(QRectF(circle.center().x() + w, top, w, h));
        }
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QString prettyJson(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented)).trimmed();
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented)).trimmed();
    return compactJson(value);
}

QString compactJson(const QJsonValue &value)
{
    if (value.isUndefined())
        return {};
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    // Scalars: wrap in an array to get JSON encoding, then strip the brackets.
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

QString formatBytes(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString formatLatencyUs(qint64 micros)
{
    if (micros < 0)
        return QStringLiteral("—");
    const QLocale locale;
    if (micros < 1000)
        return QObject::tr("%1 µs").arg(micros);
    if (micros < 1'000'000)
        return QObject::tr("%1 ms").arg(locale.toString(double(micros) / 1000.0, 'f', 1));
    return QObject::tr("%1 s").arg(locale.toString(double(micros) / 1'000'000.0, 'f', 2));
}

QString quoteArgument(const QString &arg)
{
    if (!arg.isEmpty() && !arg.contains(QLatin1Char(' ')) && !arg.contains(QLatin1Char('"')) &&
        !arg.contains(QLatin1Char('\t')))
        return arg;
    QString escaped = arg;
    escaped.replace(QLatin1Char('"'), QLatin1String("\"\"\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

QString joinCommandLine(const QString &command, const QStringList &args)
{
    QStringList parts{quoteArgument(command)};
    for (const QString &arg : args)
        parts.append(quoteArgument(arg));
    return parts.join(QLatin1Char(' '));
}

QPlainTextEdit *createJsonView(const QString &objectName, QWidget *parent)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(objectName);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    view->installEventFilter(new JsonHighlighter(view->document()));
    return view;
}

void setCompactRows(QTableView *view)
{
    view->verticalHeader()->hide();
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    view->setWordWrap(false);
}

void copyToClipboard(const QString &text)
{
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

} // namespace metamcp::ui
