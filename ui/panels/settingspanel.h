#pragma once

// Settings: the gateway's listener (address, port, allowed origins and hosts, TLS certificate
// and key) applied live through Gateway::applyListenConfig, with a clear message when the
// port is taken; the data folder (used at the next start); and the console's own preferences
// (tray, notifications, inspector size), applied at once through ConsoleSettings.

#include "model/config.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class ConsoleSettings;

class SettingsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsPanel)
public:
    SettingsPanel(Gateway *gateway, ConsoleSettings *settings, QWidget *parent = nullptr);

    // The listener settings as entered (valid or not).
    ListenConfig listenConfig() const;
    // Empty when the form is valid, else what is wrong.
    QString problem() const;
    // Applies the listener settings (starting the gateway if it had failed to start).
    void applyListen();
    // Re-reads the form from the gateway's configuration.
    void load();

Q_SIGNALS:
    void listenApplied(const QString &error);

private:
    void revalidate();
    void showResult(const QString &text, bool error);

    Gateway *m_gateway;
    ConsoleSettings *m_settings;
    QLineEdit *m_address;
    QSpinBox *m_port;
    QPlainTextEdit *m_origins;
    QPlainTextEdit *m_hosts;
    QLineEdit *m_cert;
    QLineEdit *m_key;
    QPushButton *m_apply;
    QPushButton *m_revert;
    QLabel *m_result;
    QLineEdit *m_dataDir;
    QCheckBox *m_keepInTray;
    QCheckBox *m_notify;
    QSpinBox *m_capacity;
    bool m_dirty = false;
};

} // namespace metamcp::ui
