#pragma once

// Live traffic inspector: every JSON-RPC exchange through the gateway in a table (bounded
// ring buffer, batched inserts), filters, pause/resume, clear, a detail pane with the
// pretty-printed request, response and notifications of a call, JSONL export of the
// selection, and replay of a captured request into the same namespace with the new result
// shown beside the old one.

#include "model/events.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QTabWidget;
class QTableView;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class TrafficFilterModel;
class TrafficModel;

class InspectorPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InspectorPanel)
public:
    InspectorPanel(Gateway *gateway, TrafficModel *model, QWidget *parent = nullptr);

    TrafficFilterModel *filterModel() const { return m_filter; }
    QTableView *view() const { return m_table; }

    void setPaused(bool paused);
    // Writes the selected rows (all visible rows if none is selected) as JSON Lines; returns
    // an error message or empty.
    QString exportSelection(const QString &path) const;
    // Replays the selected call into its namespace; the result appears in the Replay tab.
    void replaySelected();
    // The event shown in the detail pane (seq 0 when none).
    CallEvent currentEvent() const { return m_current; }

    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

public Q_SLOTS:
    void chooseExportFile();
    void focusFilter();

private:
    void displayEvent(const CallEvent &event);
    void updateCount();
    QList<int> selectedSourceRows() const;

    Gateway *m_gateway;
    TrafficModel *m_model;
    TrafficFilterModel *m_filter;
    QLineEdit *m_text;
    QComboBox *m_method;
    QComboBox *m_status;
    QComboBox *m_namespace;
    QPushButton *m_pause;
    QPushButton *m_replay;
    QLabel *m_count;
    QTableView *m_table;
    QTabWidget *m_details;
    QPlainTextEdit *m_request;
    QPlainTextEdit *m_response;
    QPlainTextEdit *m_notifications;
    QLabel *m_replayStatus;
    QPlainTextEdit *m_replayOriginal;
    QPlainTextEdit *m_replayResult;
    CallEvent m_current;
    bool m_follow = true;
};

} // namespace metamcp::ui
