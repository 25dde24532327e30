#pragma once

// The system tray icon: the gateway's state at a glance (icon colour and tooltip), open the
// console, pause/resume the gateway, quit; a desktop notification when an upstream starts
// failing (at most one per server per minute).

#include "upstream/upstream.h"

#include <QDateTime>
#include <QHash>
#include <QObject>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class ConsoleSettings;

class TrayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)
public:
    TrayController(Gateway *gateway, ConsoleSettings *settings, QObject *parent = nullptr);
    ~TrayController() override;

    // False where the platform has no tray (then the window closes normally).
    bool isAvailable() const;
    bool isVisible() const;
    QString toolTip() const;
    QMenu *menu() const { return m_menu; }
    QAction *pauseAction() const { return m_pause; }
    void showMessage(const QString &title, const QString &text);
    // Number of failure notifications shown (tests).
    int notificationCount() const { return m_notifications; }

Q_SIGNALS:
    void openRequested();
    void quitRequested();

private:
    void update();
    void onUpstreamState(const QString &name, UpstreamState state, const QString &reason);

    Gateway *m_gateway;
    ConsoleSettings *m_settings;
    QSystemTrayIcon *m_tray;
    QMenu *m_menu;
    QAction *m_pause;
    QHash<QString, UpstreamState> m_states;
    QHash<QString, QDateTime> m_lastNotified;
    int m_notifications = 0;
};

} // namespace metamcp::ui
