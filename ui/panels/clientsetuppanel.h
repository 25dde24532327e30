#pragma once

// Client setup: writes the gateway's endpoint into the config file of Claude Desktop, Cursor
// or VS Code (default paths from defaultClientConfigPath(); editable, tests use temp files).
// The change is shown as a diff first; writing keeps a timestamped backup of the old file and
// refuses if the file changed since the preview. For other clients it shows the URLs and the
// `metamcpd --stdio` command line.

#include "services/clientconfig.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class ClientSetupPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClientSetupPanel)
public:
    enum class Connection { Url, Stdio };

    explicit ClientSetupPanel(Gateway *gateway, QWidget *parent = nullptr);

    void setConfigPath(ClientKind kind, const QString &path);
    QString configPath(ClientKind kind) const;
    void selectClient(ClientKind kind);
    ClientKind currentClient() const;
    void setConnection(Connection connection);
    // Folder passed to `metamcpd --stdio --data-dir` (the console's database); empty: none.
    void setDataDir(const QString &dir);

    // The entry the client gets for the current choices.
    QJsonObject gatewayEntry() const;
    // Recomputes the preview; returns the diff (empty: nothing to change) or sets `error`.
    QString preview(QString *error = nullptr);
    // Writes the previewed change (backup first). Returns an error message or empty.
    QString write();
    QString lastBackupPath() const { return m_lastBackup; }

private:
    void updateOther();
    void schedulePreview();

    Gateway *m_gateway;
    QMap<ClientKind, QString> m_paths;
    QString m_dataDir;
    QComboBox *m_client;
    QLineEdit *m_path;
    QComboBox *m_connection;
    QComboBox *m_namespace;
    QLineEdit *m_entryName;
    QPlainTextEdit *m_diff;
    QLabel *m_status;
    QPushButton *m_write;
    QLineEdit *m_httpUrl;
    QLineEdit *m_sseUrl;
    QLineEdit *m_stdioCommand;
    QTimer *m_previewTimer;
    QString m_previewPath;
    QByteArray m_previewOld;
    QByteArray m_previewNew;
    bool m_previewExisted = false;
    QString m_lastBackup;
};

// The metamcpd next to the console's executable, else "metamcpd" (found through PATH).
QString metamcpdProgram();

} // namespace metamcp::ui
