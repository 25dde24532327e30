#pragma once

// Namespaces and tools: the namespaces with their endpoint URLs (copy buttons) and member
// servers; the tool registry of the selected namespace with search; per tool: enable/disable,
// rename and description override, the input/output schema, and Try it.

#include "model/events.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListView;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSettings;
class QTabWidget;
class QTableView;
class QTimer;

namespace metamcp {
class Gateway;
}

namespace metamcp::ui {

class NamespaceModel;
class ToolFilterModel;
class ToolModel;
class TryItWidget;

class NamespacesPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NamespacesPanel)
public:
    explicit NamespacesPanel(Gateway *gateway, QWidget *parent = nullptr);

    QString currentNamespace() const;
    void selectNamespace(const QString &ns);
    // Selects a tool by exposed name (clearing the search if it hides it); false if unknown.
    bool selectTool(const QString &exposedName);
    ToolModel *toolModel() const { return m_tools; }
    TryItWidget *tryIt() const { return m_tryIt; }
    // Re-reads the tool list of the current namespace (debounced).
    void refreshTools();

    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

private:
    void applyConfig();
    void updateEndpoint();
    void updateToolDetails();
    void reloadTools();
    void applyOverride();
    void resetOverride();
    void addNamespace();
    void removeNamespace();
    void setServerMembership(const QString &server, bool member);
    ToolInfo selectedTool() const;

    Gateway *m_gateway;
    NamespaceModel *m_namespaces;
    ToolModel *m_tools;
    ToolFilterModel *m_toolFilter;
    QListView *m_namespaceList;
    QLineEdit *m_newNamespace;
    QPushButton *m_removeNamespace;
    QLineEdit *m_endpoint;
    QLineEdit *m_sseEndpoint;
    QLabel *m_nsDescription;
    QListWidget *m_servers;
    QCheckBox *m_prefixNames;
    QLineEdit *m_search;
    QCheckBox *m_showDisabled;
    QLabel *m_toolCount;
    QTableView *m_toolTable;
    QTabWidget *m_toolTabs;
    QLabel *m_toolTitle;
    QCheckBox *m_toolEnabled;
    QLineEdit *m_rename;
    QPlainTextEdit *m_description;
    QPushButton *m_applyOverride;
    QLabel *m_overrideMessage;
    QPlainTextEdit *m_inputSchema;
    QPlainTextEdit *m_outputSchema;
    TryItWidget *m_tryIt;
    QTimer *m_reloadTimer;
    bool m_updatingServers = false;
};

} // namespace metamcp::ui
