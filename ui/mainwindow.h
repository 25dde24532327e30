#pragma once

// The console's main window around the embedded gateway.

#include <QMainWindow>

class QLabel;

namespace metamcp {

class Gateway;

namespace ui {

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(Gateway *gateway, QWidget *parent = nullptr);
    ~MainWindow() override;

private:
    void updateStatus();

    Gateway *m_gateway;
    QLabel *m_statusLabel;
};

} // namespace ui
} // namespace metamcp
