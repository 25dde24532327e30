#pragma once

// A line-based unified diff (for showing what the console will change in a client's config
// file before it writes it).

#include <QString>

namespace metamcp::ui {

// "--- a\n+++ b\n@@ -1,3 +1,4 @@\n context\n-removed\n+added\n"; empty when the texts are equal.
QString unifiedDiff(const QString &before, const QString &after, const QString &beforeName, const QString &afterName,
                    int context = 3);

} // namespace metamcp::ui
