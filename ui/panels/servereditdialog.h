#pragma once

// Adds or edits one upstream server: stdio (command, arguments, environment, working folder),
// Streamable HTTP and SSE (URL, headers), REST (base URL, headers, tools from an OpenAPI
// document), timeouts and the namespaces it belongs to. Validation runs as the user types and
// says in a sentence what is wrong; Save stays disabled until the form is valid. "Test
// connection" starts a temporary upstream from the form (Gateway::testConnection).

#include "model/config.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class ServerEditDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerEditDialog)
public:
    // `existing` empty: add a new server. `namespaces`: all namespace names; `memberOf`: those
    // the server belongs to (pre-checked).
    ServerEditDialog(Gateway *gateway, const std::optional<UpstreamConfig> &existing, const QStringList &namespaces,
                     const QStringList &memberOf, const QStringList &takenNames, QWidget *parent = nullptr);

    UpstreamConfig config() const;
    void setConfig(const UpstreamConfig &config);
    QStringList checkedNamespaces() const;
    // Empty when the form is valid, else the first problem (translated).
    QString problem() const;

    // Reads an OpenAPI 3 document (JSON) and makes its operations the server's REST tools.
    // Returns an error message, or empty (warnings about skipped operations are shown).
    QString loadOpenApiFile(const QString &path);

    // Saves through the gateway; closes on success, shows the error otherwise.
    void accept() override;

Q_SIGNALS:
    void saved(const QString &name);

private:
    void updateKind();
    void revalidate();
    void testConnection();
    void loadOpenApi();

    Gateway *m_gateway;
    bool m_adding;
    QStringList m_takenNames;
    QStringList m_originalNamespaces;
    QList<RestToolConfig> m_restTools;

    QLineEdit *m_name;
    QComboBox *m_kind;
    QCheckBox *m_enabled;
    QStackedWidget *m_pages;
    QLineEdit *m_command;
    QLineEdit *m_arguments;
    QPlainTextEdit *m_environment;
    QLineEdit *m_workingDir;
    QLineEdit *m_url;
    QPlainTextEdit *m_headers;
    QLabel *m_restToolsLabel;
    QSpinBox *m_requestTimeout;
    QSpinBox *m_startupTimeout;
    QSpinBox *m_maxConcurrency;
    QComboBox *m_isolation;
    QSpinBox *m_maxInstances;
    QSpinBox *m_warmInstances;
    QSpinBox *m_instanceIdle;
    QListWidget *m_namespaces;
    QLabel *m_validation;
    QLabel *m_testResult;
    QPushButton *m_testButton;
    QDialogButtonBox *m_buttons;
    QPushButton *m_saveButton;
};

// KEY=VALUE lines <-> map; `badLine` receives the 1-based number of the first bad line.
QMap<QString, QString> parseKeyValueLines(const QString &text, QChar separator, int *badLine);
QString formatKeyValueLines(const QMap<QString, QString> &map, const QString &separator);

} // namespace metamcp::ui
