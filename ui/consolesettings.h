#pragma once

// The console's own preferences (not the gateway's configuration, which lives in the store):
// tray behaviour, notifications, inspector size, first-run state, data directory. Kept in
// QSettings; every setter emits changed() so that components re-read what they use
// (a configure() slot connected to changed()).

#include <QObject>
#include <QString>

namespace metamcp::ui {

class ConsoleSettings final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleSettings)
public:
    explicit ConsoleSettings(QObject *parent = nullptr);

    // Closing the window keeps the gateway running in the system tray.
    bool keepRunningInTray() const;
    void setKeepRunningInTray(bool on);
    // A desktop notification when an upstream starts failing.
    bool notifyUpstreamFailures() const;
    void setNotifyUpstreamFailures(bool on);
    // Rows the traffic inspector keeps.
    int inspectorCapacity() const;
    void setInspectorCapacity(int rows);
    bool firstRunDone() const;
    void setFirstRunDone(bool done);
    // Folder of metamcp.db; empty: the platform default. Used at the next start.
    QString dataDir() const;
    void setDataDir(const QString &dir);
    // The platform default data folder.
    static QString defaultDataDir();

Q_SIGNALS:
    void changed();

private:
    void set(const QString &key, const QVariant &value);
};

} // namespace metamcp::ui
