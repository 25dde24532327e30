#pragma once

// Servers: the configured upstreams with their live state, the reason when one is failing,
// the captured stderr/transport log of the selected one; add, edit, remove, restart, test,
// import a client's mcpServers file or an OpenAPI document.

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QTableView;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class ServerEditDialog;
class ServerModel;

class ServersPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServersPanel)
public:
    ServersPanel(Gateway *gateway, ServerModel *model, QWidget *parent = nullptr);

    // Opens the (window-modal, non-blocking) editor; returns it for callers that fill it in.
    ServerEditDialog *addServer();
    ServerEditDialog *editServer(const QString &name);
    void removeServer(const QString &name, bool confirm = true);
    void restartServer(const QString &name);
    void testServer(const QString &name);
    // Adds the servers of a Claude Desktop / Cursor / VS Code file to the default namespace.
    void importClientConfig(const QString &path);
    // Opens the editor pre-filled with the REST tools of an OpenAPI document.
    ServerEditDialog *importOpenApi(const QString &path);

    void selectServer(const QString &name);
    QString selectedServer() const;

    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

public Q_SLOTS:
    void chooseClientConfigToImport();
    void chooseOpenApiToImport();

private:
    void updateDetails();
    void showMessage(const QString &text, bool error = false);
    QStringList namespacesOf(const QString &server) const;

    Gateway *m_gateway;
    ServerModel *m_model;
    QTableView *m_table;
    QPushButton *m_editButton;
    QPushButton *m_removeButton;
    QPushButton *m_restartButton;
    QPushButton *m_testButton;
    QLabel *m_message;
    QLabel *m_title;
    QLabel *m_state;
    QLabel *m_info;
    QPlainTextEdit *m_log;
    QString m_logServer;
};

} // namespace metamcp::ui
