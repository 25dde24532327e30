#pragma once

// "Try it": a form generated from a tool's input schema, a Call button, progress while the
// call runs (notifications/progress through a progress token) and the result: text, images,
// structured content, errors, timing, and the raw JSON-RPC response. Calls go through
// Gateway::request() into the tool's namespace, so they appear in the traffic inspector.

#include "model/events.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTextBrowser;
class QTimer;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class SchemaForm;

class TryItWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TryItWidget)
public:
    explicit TryItWidget(Gateway *gateway, QWidget *parent = nullptr);

    void setTool(const QString &ns, const ToolInfo &tool);
    QString toolName() const { return m_tool.exposedName; }
    SchemaForm *form() const { return m_form; }
    bool isRunning() const { return m_running; }

    // Validates the form and calls the tool (does nothing while a call runs).
    void call();

    // Renders a tools/call response as HTML into `browser` (images become document resources).
    static void renderResult(QTextBrowser *browser, const QJsonObject &response);

Q_SIGNALS:
    void callFinished(const QJsonObject &response, qint64 elapsedUs);

private:
    void onMessage(const QJsonObject &message);
    void finish(const QJsonObject &response);
    void updateElapsed();

    Gateway *m_gateway;
    QString m_ns;
    ToolInfo m_tool;
    SchemaForm *m_form;
    QPushButton *m_callButton;
    QPushButton *m_cancelButton;
    quint64 m_requestHandle = 0;
    QPushButton *m_resetButton;
    QProgressBar *m_progress;
    QLabel *m_statusLabel;
    QLabel *m_timingLabel;
    QTabWidget *m_resultTabs;
    QTextBrowser *m_result;
    QPlainTextEdit *m_raw;
    QPlainTextEdit *m_messages;
    QTimer *m_elapsedTimer;
    QElapsedTimer m_clock;
    bool m_running = false;
    quint64 m_callSerial = 0;
};

} // namespace metamcp::ui
