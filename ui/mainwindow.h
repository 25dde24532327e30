#pragma once

// The console's main window around the embedded gateway: a navigation list of panels
// (Dashboard, Servers, Namespaces and tools, Traffic inspector, Client setup, Settings), menus
// with shortcuts (File → Import/Export configuration through ConfigTransfer), a status bar with the gateway's state,
// and the tray icon. It owns the live models the panels share and feeds them from the Gateway's signals; nothing here
// waits for the gateway thread.

#include <QMainWindow>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class ClientSetupPanel;
class ConfigTransfer;
class ConsoleSettings;
class DashboardPanel;
class InspectorPanel;
class MetricHistoryModel;
class NamespacesPanel;
class ServerModel;
class ServersPanel;
class SettingsPanel;
class TrafficModel;
class TrayController;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    enum Panel { Dashboard, Servers, Namespaces, Inspector, ClientSetup, Settings, PanelCount };

    // `settings` may be null (a private one is made). `withTray`: show a tray icon where the
    // platform has one.
    explicit MainWindow(Gateway *gateway, ConsoleSettings *settings = nullptr, bool withTray = true,
                        QWidget *parent = nullptr);
    ~MainWindow() override;

    void showPanel(Panel panel);
    Panel currentPanel() const;
    QWidget *panel(Panel panel) const;
    static QString panelTitle(Panel panel);

    DashboardPanel *dashboardPanel() const { return m_dashboard; }
    ServersPanel *serversPanel() const { return m_servers; }
    NamespacesPanel *namespacesPanel() const { return m_namespaces; }
    InspectorPanel *inspectorPanel() const { return m_inspector; }
    ClientSetupPanel *clientSetupPanel() const { return m_clientSetup; }
    SettingsPanel *settingsPanel() const { return m_settingsPanel; }
    TrafficModel *trafficModel() const { return m_traffic; }
    ServerModel *serverModel() const { return m_serverModel; }
    MetricHistoryModel *metricHistory() const { return m_metrics; }
    TrayController *tray() const { return m_tray; }
    // File → Export configuration… / Import configuration…
    ConfigTransfer *configTransfer() const { return m_configTransfer; }

    // Brings the window to the front (tray "Open console").
    void raiseWindow();
    void saveSettings() const;
    void restoreSettings();

Q_SIGNALS:
    // The user asked to quit (menu, tray, or closing the window without the tray).
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void updateStatus();
    void configure();

    Gateway *m_gateway;
    ConsoleSettings *m_settings;
    TrafficModel *m_traffic;
    ServerModel *m_serverModel;
    MetricHistoryModel *m_metrics;
    QListWidget *m_navigation;
    QStackedWidget *m_stack;
    QLabel *m_banner;
    DashboardPanel *m_dashboard;
    ServersPanel *m_servers;
    NamespacesPanel *m_namespaces;
    InspectorPanel *m_inspector;
    ClientSetupPanel *m_clientSetup;
    SettingsPanel *m_settingsPanel;
    TrayController *m_tray = nullptr;
    ConfigTransfer *m_configTransfer;
    QLabel *m_stateIcon;
    QLabel *m_stateLabel;
    QLabel *m_sessionsLabel;
    QLabel *m_upstreamsLabel;
    QAction *m_pauseAction = nullptr;
    int m_sessions = 0;
    QString m_startError;
    bool m_trayHintShown = false;
};

} // namespace metamcp::ui
