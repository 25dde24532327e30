#pragma once

// First run: offers to import the MCP servers already configured in Claude Desktop, Cursor
// and VS Code, and picks a free port for the gateway (8787 when free).

#include "services/clientconfig.h"

#include <QWizard>

class QLabel;
class QListWidget;
class QSpinBox;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class FirstRunWizard final : public QWizard
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FirstRunWizard)
public:
    // `configPaths`: where to look for client configs (defaults: defaultClientConfigPath()).
    FirstRunWizard(Gateway *gateway, const QMap<ClientKind, QString> &configPaths = {}, QWidget *parent = nullptr);

    // Files found with at least one server, as listed on the import page.
    QStringList foundFiles() const;
    QStringList checkedFiles() const;
    quint16 chosenPort() const;
    // 8787 if free on 127.0.0.1, else some free port.
    static quint16 suggestPort(quint16 preferred = 8787);

    // Imports the checked files and applies the port (also called by Finish).
    void apply();
    void accept() override;

Q_SIGNALS:
    void applied(const QStringList &messages);

private:
    Gateway *m_gateway;
    QListWidget *m_files;
    QSpinBox *m_port;
    QLabel *m_portNote;
};

} // namespace metamcp::ui
