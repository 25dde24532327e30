#pragma once

// Dashboard: live charts of requests/s, latency percentiles, error rate and active sessions
// over the last 5 minutes or hour, current values at a glance, and the state of every
// upstream. The charts are declared in one table (kCharts in the .cpp): a new metric series
// from the gateway (cache hit rate, 429s, breaker states) is one more entry there. Redraws
// are rate-limited (at most once a second, only while visible).

#include <QWidget>

#include <vector>

class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QSettings;
class QTableView;
class QTimer;
class QValueAxis;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class MetricHistoryModel;
class ServerModel;

class DashboardPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardPanel)
public:
    DashboardPanel(Gateway *gateway, MetricHistoryModel *history, ServerModel *servers, QWidget *parent = nullptr);
    ~DashboardPanel() override;

    // Window of the charts in seconds (300 or 3600).
    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_windowSeconds; }
    // Redraws now (normally done by the rate-limited timer).
    void redraw();
    int redrawCount() const { return m_redraws; }

    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

protected:
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Chart;
    void applyTheme();

    Gateway *m_gateway;
    MetricHistoryModel *m_history;
    QComboBox *m_window;
    QTableView *m_upstreams;
    QList<QLabel *> m_kpis;
    std::vector<std::unique_ptr<Chart>> m_charts;
    QTimer *m_timer;
    int m_windowSeconds = 300;
    bool m_dirty = true;
    int m_redraws = 0;
};

} // namespace metamcp::ui
