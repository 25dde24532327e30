#pragma once

// Small helpers shared by the panels: display texts for gateway values, palette-aware colours
// and painted icons (crisp at any device pixel ratio), JSON formatting.

#include "model/config.h"
#include "upstream/upstream.h"

#include <QColor>
#include <QIcon>
#include <QJsonValue>
#include <QString>

class QPalette;
class QPlainTextEdit;
class QTableView;
class QWidget;

namespace metamcp::ui {

// "stdio", "Streamable HTTP", ... (translated)
QString kindDisplayName(UpstreamKind kind);
// "Ready", "Failing", ... (translated)
QString stateDisplayName(UpstreamState state);

// True when the palette is a dark one (window darker than its text).
bool isDark(const QPalette &palette);
// Status colours that stay readable on the palette's base colour.
QColor stateColor(UpstreamState state, const QPalette &palette);
QColor errorColor(const QPalette &palette);
QColor okColor(const QPalette &palette);
QColor warningColor(const QPalette &palette);

// A filled dot in `color` (optionally with two pause bars), painted at every common size.
QIcon dotIcon(const QColor &color, bool paused = false);

// Indented JSON of an object/array/value; "" for undefined.
QString prettyJson(const QJsonValue &value);
QString compactJson(const QJsonValue &value);

// "512 B", "1.4 KB", "3.2 MB"
QString formatBytes(qint64 bytes);
// "850 µs", "12.3 ms", "2.40 s"; "—" for negative values
QString formatLatencyUs(qint64 micros);

// The command line of a stdio server, quoted where needed ("npx -y \"my server\"").
QString joinCommandLine(const QString &command, const QStringList &args);
// Quotes one argument for display when it contains spaces or quotes.
QString quoteArgument(const QString &arg);

// A read-only, monospaced text view with JSON highlighting.
QPlainTextEdit *createJsonView(const QString &objectName, QWidget *parent);

// Table defaults of the console: fixed, compact rows; no row numbers.
void setCompactRows(QTableView *view);

// Copies `text` to the clipboard.
void copyToClipboard(const QString &text);

} // namespace metamcp::ui
